// name: top-concepts
// description: Most-mentioned concepts, optionally of one type (Method, Model, Dataset, Benchmark, Task, Metric).
// params: type (string, default ''; '' for all types), limit (int, default 20)
// columns: name, type, papers
MATCH (p:Paper)-[:MENTIONS]->(c:Concept)
WHERE $type = '' OR toLower(c.type) = toLower($type)
RETURN c.name AS name, c.type AS type, count(DISTINCT p) AS papers
ORDER BY papers DESC, name
LIMIT $limit

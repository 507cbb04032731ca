// name: datasets-for
// description: Datasets and benchmarks named in the same papers as a method or model, by paper count.
// params: method (string), limit (int, default 20)
// columns: name, type, papers
WITH toLower($method) AS key
MATCH (m:Concept)<-[:MENTIONS]-(p:Paper)-[:MENTIONS]->(d:Concept)
WHERE (toLower(m.name) = key OR any(alias IN m.aliases WHERE toLower(alias) = key))
  AND d.type IN ['Dataset', 'Benchmark'] AND d <> m
RETURN d.name AS name, d.type AS type, count(DISTINCT p) AS papers
ORDER BY papers DESC, name
LIMIT $limit

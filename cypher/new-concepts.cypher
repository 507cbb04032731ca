// name: new-concepts
// description: Concepts by the year they first appear in a dated paper, newest first.
// params: year (int, default 0; 0 for every year), type (string, default ''; '' for all types), limit (int, default 50)
// columns: year, name, type, papers
MATCH (p:Paper)-[:MENTIONS]->(c:Concept)
WHERE p.year IS NOT NULL AND ($type = '' OR toLower(c.type) = toLower($type))
WITH c, min(p.year) AS first_year
WHERE $year = 0 OR first_year = $year
RETURN first_year AS year, c.name AS name, c.type AS type, c.paper_count AS papers
ORDER BY year DESC, papers DESC, name
LIMIT $limit

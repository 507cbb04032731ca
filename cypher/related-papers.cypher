// name: related-papers
// description: Papers sharing the most concepts with a paper, and the concepts they share.
// params: paper (string; a paper id), limit (int, default 10)
// columns: id, title, shared, concepts
MATCH (p:Paper {id: $paper})-[:MENTIONS]->(c:Concept)<-[:MENTIONS]-(other:Paper)
WHERE other <> p
WITH other, count(DISTINCT c) AS shared
ORDER BY shared DESC, other.id
LIMIT $limit
MATCH (p:Paper {id: $paper})-[:MENTIONS]->(c:Concept)<-[:MENTIONS]-(other)
WHERE other <> p
WITH other, shared, c
ORDER BY shared DESC, other.id, c.name
LIMIT 1000000
RETURN other.id AS id, other.title AS title, shared, collect(c.name) AS concepts
ORDER BY shared DESC, id

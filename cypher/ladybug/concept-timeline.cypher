// LadybugDB form of cypher/concept-timeline.cypher: the concept is matched in the pattern's own WHERE by
// conditions on the parameter alone, so the engine finds it before it reads the papers (see
// ladybug/co-occurring.cypher: a lambda-free superset on the '|'-joined aliases, then the exact test).
MATCH (p:Paper)-[:MENTIONS]->(c:Concept)
WHERE p.date IS NOT NULL
  AND (toLower(c.name) = toLower($concept)
       OR ('|' + toLower(list_to_string('|', c.aliases)) + '|') CONTAINS ('|' + toLower($concept) + '|'))
  AND (toLower(c.name) = toLower($concept)
       OR list_contains(list_transform(c.aliases, alias -> toLower(alias)), toLower($concept)))
WITH left(p.date, 7) AS month, count(DISTINCT p) AS papers
MATCH (q:Paper)
WHERE left(q.date, 7) = month
RETURN month, papers, count(q) AS all_papers
ORDER BY month

// LadybugDB form of cypher/papers-using.cypher: the concept is matched in the pattern's own WHERE by
// conditions on the parameter alone, so the engine finds it before it reads the papers (see
// ladybug/co-occurring.cypher: a lambda-free superset on the '|'-joined aliases, then the exact test).
MATCH (p:Paper)-[m:MENTIONS]->(c:Concept)
WHERE (toLower(c.name) = toLower($concept)
       OR ('|' + toLower(list_to_string('|', c.aliases)) + '|') CONTAINS ('|' + toLower($concept) + '|'))
  AND (toLower(c.name) = toLower($concept)
       OR list_contains(list_transform(c.aliases, alias -> toLower(alias)), toLower($concept)))
  AND ($role = '' OR m.role = $role)
RETURN p.id AS id, p.title AS title, p.year AS year, c.name AS concept, m.role AS role
ORDER BY CASE m.role WHEN 'proposed' THEN 0 WHEN 'used' THEN 1 ELSE 2 END,
         coalesce(p.year, 0) DESC, id
LIMIT $limit

// name: papers-using
// description: Papers that name a concept (by name or alias, any case) and the role it plays in each.
// params: concept (string), role (string, default ''; proposed, used, mentioned or '' for any), limit (int, default 50)
// columns: id, title, year, concept, role
WITH toLower($concept) AS key
MATCH (p:Paper)-[m:MENTIONS]->(c:Concept)
WHERE (toLower(c.name) = key OR any(alias IN c.aliases WHERE toLower(alias) = key))
  AND ($role = '' OR m.role = $role)
RETURN p.id AS id, p.title AS title, p.year AS year, c.name AS concept, m.role AS role
ORDER BY CASE m.role WHEN 'proposed' THEN 0 WHEN 'used' THEN 1 ELSE 2 END,
         coalesce(p.year, 0) DESC, id
LIMIT $limit

// LadybugDB form of cypher/co-occurring.cypher. The concept is matched in the pattern's own WHERE by
// conditions on the parameter alone, so the engine finds it before it reads its links (10k papers:
// 0.04-0.06 s; matched through a WITH variable it joined every CO_OCCURS link first: 0.8-0.9 s).
// As in ladybug/concept-path.cypher: first a lambda-free superset (the name, or the aliases joined
// by '|' holding the key between bars), which LadybugDB 0.22.0 can use that way, then the exact test.
MATCH (c:Concept)-[r:CO_OCCURS]-(other:Concept)
WHERE (toLower(c.name) = toLower($concept)
       OR ('|' + toLower(list_to_string('|', c.aliases)) + '|') CONTAINS ('|' + toLower($concept) + '|'))
  AND (toLower(c.name) = toLower($concept)
       OR list_contains(list_transform(c.aliases, alias -> toLower(alias)), toLower($concept)))
RETURN other.name AS name, other.type AS type, r.weight AS weight
ORDER BY weight DESC, name
LIMIT $limit

// name: co-occurring
// description: Concepts named in the same papers as a concept (by name or alias), with how many papers.
// params: concept (string), limit (int, default 20)
// columns: name, type, weight
WITH toLower($concept) AS key
MATCH (c:Concept)-[r:CO_OCCURS]-(other:Concept)
WHERE toLower(c.name) = key OR any(alias IN c.aliases WHERE toLower(alias) = key)
RETURN other.name AS name, other.type AS type, r.weight AS weight
ORDER BY weight DESC, name
LIMIT $limit

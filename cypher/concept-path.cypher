// name: concept-path
// description: A shortest chain of papers and concepts linking two concepts (by name or alias), up to 8 hops.
// params: source (string), target (string)
// columns: hops, path
// Neo4j form; LadybugDB runs cypher/ladybug/concept-path.cypher (shortest paths are not portable).
WITH toLower($source) AS source_key, toLower($target) AS target_key
MATCH (a:Concept), (b:Concept)
WHERE (toLower(a.name) = source_key OR any(alias IN a.aliases WHERE toLower(alias) = source_key))
  AND (toLower(b.name) = target_key OR any(alias IN b.aliases WHERE toLower(alias) = target_key))
  AND a <> b
MATCH p = shortestPath((a)-[:MENTIONS*..8]-(b))
WHERE a <> b
RETURN length(p) AS hops, [n IN nodes(p) | coalesce(n.name, n.id)] AS path
ORDER BY hops

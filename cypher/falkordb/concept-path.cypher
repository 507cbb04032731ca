// FalkorDB form of cypher/concept-path.cypher: FalkorDB's shortestPath() is directed only, so
// this asks its algo.SPpaths procedure for one shortest path in both directions.
WITH toLower($source) AS source_key, toLower($target) AS target_key
MATCH (a:Concept), (b:Concept)
WHERE (toLower(a.name) = source_key OR any(alias IN a.aliases WHERE toLower(alias) = source_key))
  AND (toLower(b.name) = target_key OR any(alias IN b.aliases WHERE toLower(alias) = target_key))
  AND a <> b
CALL algo.SPpaths({sourceNode: a, targetNode: b, relTypes: ['MENTIONS'], relDirection: 'both', maxLen: 8, pathCount: 1})
YIELD path AS p
RETURN length(p) AS hops, [n IN nodes(p) | coalesce(n.name, n.id)] AS path
ORDER BY hops

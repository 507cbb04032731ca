// LadybugDB form of cypher/concept-path.cypher. Binding the source first with WITH keeps the
// search to one start node (matching both ends in one pattern took seconds at 2k papers), and
// `ALL SHORTEST` crashes ladybug 0.22.0 when no target remains, so this asks for one path per pair.
WITH toLower($source) AS source_key, toLower($target) AS target_key
MATCH (a:Concept)
WHERE toLower(a.name) = source_key OR any(alias IN a.aliases WHERE toLower(alias) = source_key)
WITH a, target_key
MATCH p = (a)-[:MENTIONS* SHORTEST 1..8]-(b:Concept)
WHERE (toLower(b.name) = target_key OR any(alias IN b.aliases WHERE toLower(alias) = target_key))
  AND a <> b
RETURN length(p) AS hops, list_transform(nodes(p), n -> coalesce(n.name, n.id)) AS path
ORDER BY hops

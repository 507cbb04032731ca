// LadybugDB form of cypher/concept-path.cypher. Both ends are filtered in the path's own MATCH by
// conditions on the parameters alone, so the engine knows the end nodes before it searches and
// stops once it has reached them (10k papers: 0.07-0.12 s; binding the source with WITH first
// made it find and read a path to every reachable concept, then filter: 1.1-2.5 s). LadybugDB
// 0.22.0 only does so for conditions without a list lambda (and a parameter inside a lambda
// crashes it), so each end is matched twice: first its name, or its aliases joined by '|' holding
// the key between bars (a lambda-free superset: every alias equal to the key passes), then
// exactly, as in the Neo4j form. Any WITH after this MATCH fails ("Cannot evaluate expression with
// type PROPERTY"), and `ALL SHORTEST` crashes when no target remains: one path per pair.
MATCH p = (a:Concept)-[:MENTIONS* SHORTEST 1..8]-(b:Concept)
WHERE (toLower(a.name) = toLower($source)
       OR ('|' + toLower(list_to_string('|', a.aliases)) + '|') CONTAINS ('|' + toLower($source) + '|'))
  AND (toLower(b.name) = toLower($target)
       OR ('|' + toLower(list_to_string('|', b.aliases)) + '|') CONTAINS ('|' + toLower($target) + '|'))
  AND (toLower(a.name) = toLower($source)
       OR list_contains(list_transform(a.aliases, alias -> toLower(alias)), toLower($source)))
  AND (toLower(b.name) = toLower($target)
       OR list_contains(list_transform(b.aliases, alias -> toLower(alias)), toLower($target)))
  AND a <> b
RETURN length(p) AS hops, list_transform(nodes(p), n -> coalesce(n.name, n.id)) AS path
ORDER BY hops

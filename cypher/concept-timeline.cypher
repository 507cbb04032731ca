// name: concept-timeline
// description: Papers per month naming a concept (by name or alias, any case), beside all papers of that month (by the papers' dates; kg trends DIR compares shares).
// params: concept (string)
// columns: month, papers, all_papers
WITH toLower($concept) AS key
MATCH (p:Paper)-[:MENTIONS]->(c:Concept)
WHERE p.date IS NOT NULL
  AND (toLower(c.name) = key OR any(alias IN c.aliases WHERE toLower(alias) = key))
WITH left(p.date, 7) AS month, count(DISTINCT p) AS papers
MATCH (q:Paper)
WHERE left(q.date, 7) = month
RETURN month, papers, count(q) AS all_papers
ORDER BY month

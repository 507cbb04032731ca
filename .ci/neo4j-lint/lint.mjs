// Check Cypher with Neo4j's own parser and semantic analysis (@neo4j-cypher/language-support).
// stdin: {"schema": {...DbSchema}, "queries": ["...", ...]}
// stdout: one array of diagnostics per query: [{"severity": 1|2, "message": "...", "line": n}]
// (severity 1 is an error, 2 a warning). Used by tests/test_neo4j_dialect.py.
import { lintCypherQuery } from '@neo4j-cypher/language-support';

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const { schema, queries } = JSON.parse(input);
  const out = queries.map((query) =>
    lintCypherQuery(query, schema).diagnostics.map((d) => ({
      severity: d.severity,
      message: d.message,
      line: d.range.start.line + 1,
    })),
  );
  process.stdout.write(JSON.stringify(out));
});

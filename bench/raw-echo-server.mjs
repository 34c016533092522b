// The floor for a stdio round trip: newline-delimited JSON-RPC with no SDK at all. Answers every request
// line with a result echoing its params. `node bench/raw-echo-server.mjs`; exits when stdin closes.
let buffered = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffered += chunk;
  for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
    const line = buffered.slice(0, newline);
    buffered = buffered.slice(newline + 1);
    if (!line.trim()) continue;
    const request = JSON.parse(line);
    const text = request.params?.arguments?.text ?? '';
    process.stdout.write(
      `${JSON.stringify({ jsonrpc: '2.0', id: request.id, result: { content: [{ type: 'text', text }] } })}\n`,
    );
  }
});
process.stdin.on('end', () => process.exit(0));

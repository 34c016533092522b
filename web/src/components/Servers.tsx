import type { ServerInfo } from '../types';

/** The MCP servers: state, where they run, and their tools with what their annotations say. */
export function Servers({ servers }: { servers: readonly ServerInfo[] }) {
  return (
    <section className="panel" aria-labelledby="servers-title">
      <h2 id="servers-title">MCP servers</h2>
      <div className="grid">
        {servers.map((server) => (
          <article key={server.name} className="card">
            <header className="approval-head">
              <strong>{server.name}</strong>
              <span className={`badge state-${server.state}`}>{server.state}</span>
              {server.trusted && <span className="badge">trusted</span>}
              <span className="muted">{server.tools.length} tools</span>
            </header>
            {server.error && <p className="error">{server.error}</p>}
            <details>
              <summary>Tools</summary>
              <ul className="tools">
                {server.tools.map((tool) => (
                  <li key={tool.name}>
                    <code>{tool.name}</code>
                    {tool.annotations?.readOnlyHint === true ? <span className="badge">read-only</span> : <span className="badge risk-medium">side effect</span>}
                    <span className="muted"> {tool.description}</span>
                  </li>
                ))}
              </ul>
            </details>
          </article>
        ))}
      </div>
    </section>
  );
}

import { useState } from 'react';
import type { TimelineItem } from '../timeline';

type Tool = Extract<TimelineItem, { kind: 'tool' }>;

const STATUS_LABEL: Record<Tool['status'], string> = { running: 'running', ok: 'done', error: 'failed', waiting: 'waiting for approval', denied: 'denied' };

/** One tool call: `server.tool`, status and duration; expands to its arguments and full result. */
export function ToolCard({ item }: { item: Tool }) {
  const [open, setOpen] = useState(false);
  const preview = item.error ?? item.summary ?? '';
  return (
    <article className={`card tool tool-${item.status}`} data-testid="tool-card">
      <button type="button" className="card-head" aria-expanded={open} onClick={() => setOpen(!open)}>
        <span className="tool-name">
          {item.server}.{item.tool}
        </span>
        <span className={`badge badge-${item.status}`}>{STATUS_LABEL[item.status]}</span>
        {item.proposedArgs && <span className="badge">edited</span>}
        {item.durationMs !== undefined && <span className="muted">{Math.round(item.durationMs)} ms</span>}
        <span className="chevron" aria-hidden="true">
          {open ? '▾' : '▸'}
        </span>
      </button>
      {item.status === 'running' && item.progress && <ToolProgress progress={item.progress} />}
      {preview && !open && <p className="tool-preview">{preview}</p>}
      {open && (
        <div className="card-body">
          <h4>{item.proposedArgs ? 'Arguments (edited by a person before it ran)' : 'Arguments'}</h4>
          <pre>{JSON.stringify(item.args, null, 2)}</pre>
          {item.proposedArgs && (
            <>
              <h4>Proposed by the model</h4>
              <pre>{JSON.stringify(item.proposedArgs, null, 2)}</pre>
            </>
          )}
          {item.output !== undefined && (
            <>
              <h4>Result</h4>
              <pre>{item.output}</pre>
            </>
          )}
          {item.error !== undefined && (
            <>
              <h4>Error</h4>
              <pre>{item.error}</pre>
            </>
          )}
        </div>
      )}
    </article>
  );
}

/** A running call's progress: a bar when the server gives a total, else the count so far; and its message. */
function ToolProgress({ progress }: { progress: NonNullable<Tool['progress']> }) {
  const label = progress.total ? `${progress.value} of ${progress.total}` : String(progress.value);
  return (
    <p className="tool-progress" data-testid="tool-progress">
      {progress.total ? <progress value={progress.value} max={progress.total} aria-label={`progress ${label}`} /> : null}
      <span className="muted">{progress.message ? `${progress.message} (${label})` : label}</span>
    </p>
  );
}

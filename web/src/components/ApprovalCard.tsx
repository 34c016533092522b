import { type FormEvent, useState } from 'react';
import type { Approval, ApprovalFacts } from '../types';

/** What a card needs to show, from a stored approval or from its `approval-request` event. */
export interface ApprovalView extends ApprovalFacts {
  approvalId: string;
  status: Approval['status'];
  resolvedBy?: string | null;
  note?: string | null;
  /** The arguments a person edited the call to when approving it. */
  editedArgs?: Record<string, unknown>;
}

/** A decision a person makes on a card. */
export type Decision =
  | { type: 'approve'; scope?: 'once' | 'session'; args?: Record<string, unknown> }
  | { type: 'deny'; note?: string }
  | { type: 'answer'; text: string };

interface SchemaProperty {
  type?: string;
  title?: string;
  description?: string;
  enum?: string[];
  default?: unknown;
}

/** The form of a server's elicitation: one field per property of its requested schema. */
function ElicitationForm({ schema, onSubmit, onDecline, busy }: { schema: { properties?: Record<string, SchemaProperty>; required?: string[] }; onSubmit: (content: Record<string, unknown>) => void; onDecline: () => void; busy: boolean }) {
  const properties = Object.entries(schema.properties ?? {});
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const content: Record<string, unknown> = {};
    for (const [name, property] of properties) {
      const value = data.get(name);
      if (property.type === 'boolean') content[name] = value === 'on';
      else if (property.type === 'number' || property.type === 'integer') {
        if (value !== null && value !== '') content[name] = Number(value);
      } else if (value !== null && value !== '') content[name] = String(value);
    }
    onSubmit(content);
  };
  return (
    <form className="stack" onSubmit={submit}>
      {properties.map(([name, property]) => (
        <label key={name} className={property.type === 'boolean' ? 'check' : 'field'}>
          <span>{property.title ?? name}{schema.required?.includes(name) ? ' *' : ''}</span>
          {property.enum ? (
            <select name={name} defaultValue={String(property.default ?? property.enum[0] ?? '')}>
              {property.enum.map((option) => (
                <option key={option}>{option}</option>
              ))}
            </select>
          ) : property.type === 'boolean' ? (
            <input type="checkbox" name={name} defaultChecked={property.default === true} />
          ) : (
            <input name={name} type={property.type === 'number' || property.type === 'integer' ? 'number' : 'text'} required={schema.required?.includes(name)} defaultValue={property.default === undefined ? '' : String(property.default)} />
          )}
          {property.description && <small className="muted">{property.description}</small>}
        </label>
      ))}
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>Submit</button>
        <button type="button" onClick={onDecline} disabled={busy}>Decline</button>
      </div>
    </form>
  );
}

/**
 * An approval, question or elicitation: what will be done, with which arguments, why, the risk; and the
 * decisions (Approve, Approve for this session, Deny with a note / Answer / the server's form). Once resolved it
 * shows who decided, in every tab.
 */
export function ApprovalCard({ view, onDecide, sessionLink }: { view: ApprovalView; onDecide: (decision: Decision) => Promise<void> | void; sessionLink?: React.ReactNode }) {
  const [denying, setDenying] = useState(false);
  const [note, setNote] = useState('');
  const [answer, setAnswer] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const decide = async (decision: Decision) => {
    setBusy(true);
    setError(undefined);
    try {
      await onDecide(decision);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };
  const pending = view.status === 'pending';
  const title = view.kind === 'question' ? 'The agent asks' : view.kind === 'elicitation' ? `${view.server} asks` : 'Approval needed';
  const question = view.kind === 'question' ? String(view.args.question ?? '') : view.kind === 'elicitation' ? String(view.args.message ?? '') : '';
  return (
    <article className={`card approval approval-${view.status}`} data-testid="approval-card" data-approval-id={view.approvalId} aria-label={`${title}: ${view.server}.${view.tool}`}>
      <header className="approval-head">
        <strong>{title}</strong>
        <span className="tool-name">{view.server}.{view.tool}</span>
        {view.kind === 'approval' && <span className={`badge risk-${view.risk}`}>risk: {view.risk}</span>}
        <span className={`badge status-${view.status}`} data-testid="approval-status">{view.status}</span>
        {sessionLink}
      </header>
      {question && <p className="question">{question}</p>}
      {view.kind === 'approval' && (
        <>
          <pre className="args">{JSON.stringify(view.args, null, 2)}</pre>
          {view.reason && <p><span className="muted">Why: </span>{view.reason}</p>}
          <p className="muted">Asks because: {view.because}</p>
        </>
      )}
      {!pending && (
        <p className="resolved">
          {view.status}{view.editedArgs ? ' with edited arguments' : ''}{view.resolvedBy ? ` by ${view.resolvedBy}` : ''}{view.note ? ` — “${view.note}”` : ''}
        </p>
      )}
      {!pending && view.editedArgs && (
        <>
          <h4>Ran with</h4>
          <pre className="args" data-testid="approval-edited-args">{JSON.stringify(view.editedArgs, null, 2)}</pre>
        </>
      )}
      {pending && view.kind === 'approval' && !denying && (
        <div className="actions">
          <button type="button" className="primary" disabled={busy} onClick={() => void decide({ type: 'approve' })}>Approve</button>
          <button type="button" disabled={busy} onClick={() => void decide({ type: 'approve', scope: 'session' })}>Approve for this session</button>
          <button type="button" className="danger" disabled={busy} onClick={() => setDenying(true)}>Deny…</button>
        </div>
      )}
      {pending && view.kind === 'approval' && denying && (
        <form className="stack" onSubmit={(event) => { event.preventDefault(); void decide({ type: 'deny', ...(note.trim() ? { note: note.trim() } : {}) }); }}>
          <label className="field">
            <span>Note for the agent (optional)</span>
            <textarea value={note} onChange={(event) => setNote(event.target.value)} rows={2} autoFocus />
          </label>
          <div className="actions">
            <button type="submit" className="danger" disabled={busy}>Deny</button>
            <button type="button" onClick={() => setDenying(false)}>Back</button>
          </div>
        </form>
      )}
      {pending && view.kind === 'question' && (
        <form className="stack" onSubmit={(event) => { event.preventDefault(); if (answer.trim()) void decide({ type: 'answer', text: answer.trim() }); }}>
          <label className="field">
            <span>Your answer</span>
            <input value={answer} onChange={(event) => setAnswer(event.target.value)} />
          </label>
          <div className="actions">
            <button type="submit" className="primary" disabled={busy || !answer.trim()}>Answer</button>
          </div>
        </form>
      )}
      {pending && view.kind === 'elicitation' && (
        <ElicitationForm
          schema={(view.args.requestedSchema as { properties?: Record<string, SchemaProperty>; required?: string[] }) ?? {}}
          busy={busy}
          onSubmit={(content) => void decide({ type: 'approve', args: content })}
          onDecline={() => void decide({ type: 'deny' })}
        />
      )}
      {error && <p className="error" role="alert">{error}</p>}
    </article>
  );
}

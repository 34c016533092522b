import { postJson } from '../api';
import type { Approval } from '../types';
import { ApprovalCard, type Decision } from './ApprovalCard';

/** Every pending approval and question across sessions, decided here over the API (resuming the run). */
export function Inbox({ approvals, onOpenSession, onChanged }: { approvals: readonly Approval[]; onOpenSession: (sessionId: string) => void; onChanged: () => void }) {
  const decide = async (approval: Approval, decision: Decision) => {
    const path = `/api/approvals/${encodeURIComponent(approval.id)}/${decision.type}`;
    if (decision.type === 'approve') await postJson(path, { resume: true, ...(decision.scope ? { scope: decision.scope } : {}), ...(decision.args ? { args: decision.args } : {}) });
    else if (decision.type === 'deny') await postJson(path, { resume: true, ...(decision.note ? { note: decision.note } : {}) });
    else await postJson(path, { resume: true, answer: decision.text });
    onChanged();
  };
  return (
    <section className="panel" aria-labelledby="inbox-title">
      <h2 id="inbox-title">Inbox</h2>
      {approvals.length === 0 && <p className="empty">Nothing is waiting for a person.</p>}
      {approvals.map((approval) => (
        <ApprovalCard
          key={approval.id}
          view={{ ...approval, approvalId: approval.id }}
          onDecide={(decision) => decide(approval, decision)}
          sessionLink={<button type="button" className="link" onClick={() => onOpenSession(approval.sessionId)}>open session</button>}
        />
      ))}
    </section>
  );
}

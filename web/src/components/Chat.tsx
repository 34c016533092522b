import { type KeyboardEvent, useEffect, useRef, useState } from 'react';
import Markdown from 'react-markdown';
import type { TimelineItem } from '../timeline';
import { ApprovalCard, type Decision } from './ApprovalCard';
import { ToolCard } from './ToolCard';

interface ChatProps {
  items: readonly TimelineItem[];
  running: readonly string[];
  connected: boolean;
  onSend: (text: string) => void;
  onCancel: (runId: string) => void;
  onDecide: (approvalId: string, decision: Decision) => void;
}

/** The conversation: messages, the answer streaming in as markdown, tool cards and approval cards; the composer. */
export function Chat({ items, running, connected, onSend, onCancel, onDecide }: ChatProps) {
  const [text, setText] = useState('');
  const end = useRef<HTMLDivElement>(null);
  useEffect(() => {
    end.current?.scrollIntoView?.({ block: 'end' });
  }, [items]);
  const send = () => {
    const task = text.trim();
    if (!task) return;
    onSend(task);
    setText('');
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    }
  };
  return (
    <section className="chat" aria-label="Chat">
      <div className="timeline" aria-live="polite" aria-busy={running.length > 0}>
        {items.length === 0 && <p className="empty">Give Deckhand a task, e.g. “Order XYZ-789 has shipped. Email the customer a shipping confirmation.”</p>}
        {items.map((item) => {
          switch (item.kind) {
            case 'user':
              return <div key={item.key} className="bubble user" data-testid="user-message">{item.text}</div>;
            case 'assistant':
              return (
                <div key={item.key} className={`bubble assistant${item.streaming ? ' streaming' : ''}`} data-testid="assistant-message">
                  <Markdown>{item.text}</Markdown>
                </div>
              );
            case 'tool':
              return <ToolCard key={item.key} item={item} />;
            case 'approval':
              return (
                <ApprovalCard
                  key={item.key}
                  view={{ ...item.request, status: item.status, resolvedBy: item.resolvedBy ?? null, note: item.note ?? null, ...(item.editedArgs ? { editedArgs: item.editedArgs } : {}) }}
                  onDecide={(decision) => onDecide(item.request.approvalId, decision)}
                />
              );
            case 'status':
              return <p key={item.key} className={`run-status outcome-${item.outcome}`}>{item.outcome}: {item.text}</p>;
          }
        })}
        <div ref={end} />
      </div>
      <form className="composer" onSubmit={(event) => { event.preventDefault(); send(); }}>
        <label htmlFor="task" className="visually-hidden">Task</label>
        <textarea id="task" value={text} onChange={(event) => setText(event.target.value)} onKeyDown={onKeyDown} rows={2} placeholder="Type a task — Enter sends, Shift+Enter for a new line" />
        <div className="composer-actions">
          {running.map((runId) => (
            <button key={runId} type="button" className="danger" onClick={() => onCancel(runId)}>Cancel run</button>
          ))}
          <button type="submit" className="primary" disabled={!text.trim() || !connected || running.length > 0}>Send</button>
        </div>
      </form>
    </section>
  );
}

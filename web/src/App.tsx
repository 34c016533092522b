import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiFailure, getJson } from './api';
import type { Decision } from './components/ApprovalCard';
import { Chat } from './components/Chat';
import { Inbox } from './components/Inbox';
import { Deployments, SystemHealth } from './components/Operations';
import { Servers } from './components/Servers';
import { UsageChart } from './components/UsageChart';
import { ChatConnection, type ConnectionStatus } from './connection';
import { buildTimeline } from './timeline';
import type { Approval, ChatEvent, ChatNotice, Panels, ServerInfo, SessionDetail, SessionSummary, Usage } from './types';

type View = 'chat' | 'inbox' | 'servers' | 'usage' | 'deployments' | 'health';
type Theme = 'light' | 'dark';

function sessionFromUrl(): string | undefined {
  return new URL(window.location.href).searchParams.get('session') ?? undefined;
}

function setSessionInUrl(sessionId: string | undefined): void {
  const url = new URL(window.location.href);
  if (sessionId) url.searchParams.set('session', sessionId);
  else url.searchParams.delete('session');
  window.history.replaceState(null, '', url.pathname + url.search);
}

function initialTheme(): Theme {
  const stored = window.localStorage.getItem('deckhand-theme');
  if (stored === 'light' || stored === 'dark') return stored;
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

const money = (value: number) => `$${value.toFixed(value < 1 ? 4 : 2)}`;

export function App() {
  const [auth, setAuth] = useState<'checking' | 'ok' | 'unauthorized'>('checking');
  const [view, setView] = useState<View>('chat');
  const [theme, setTheme] = useState<Theme>(initialTheme);
  const [status, setStatus] = useState<ConnectionStatus>('connecting');
  const [sessions, setSessions] = useState<SessionSummary[]>([]);
  const [sessionId, setSessionId] = useState<string | undefined>(sessionFromUrl);
  const [events, setEvents] = useState<ChatEvent[]>([]);
  const [approvals, setApprovals] = useState<Map<string, Approval>>(new Map());
  const [detail, setDetail] = useState<SessionDetail>();
  const [inbox, setInbox] = useState<Approval[]>([]);
  const [servers, setServers] = useState<ServerInfo[]>([]);
  const [usage, setUsage] = useState<Usage>();
  const [panels, setPanels] = useState<Panels>({ deployments: false, systemHealth: false });
  const [notice, setNotice] = useState<string>();
  const [menuOpen, setMenuOpen] = useState(false);
  const sessionRef = useRef(sessionId);
  const connection = useRef<ChatConnection | undefined>(undefined);

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    window.localStorage.setItem('deckhand-theme', theme);
  }, [theme]);

  const refreshSessions = useCallback(() => {
    getJson<SessionSummary[]>('/api/sessions').then(setSessions, () => {});
  }, []);
  const refreshInbox = useCallback(() => {
    getJson<Approval[]>('/api/approvals').then(setInbox, () => {});
  }, []);
  const refreshDetail = useCallback((id: string | undefined) => {
    if (!id) return setDetail(undefined);
    getJson<SessionDetail>(`/api/sessions/${encodeURIComponent(id)}`).then((value) => {
      if (sessionRef.current !== id) return;
      setDetail(value);
      setApprovals(new Map(value.approvals.map((approval) => [approval.id, approval])));
    }, () => {});
  }, []);

  const choose = useCallback((id: string | undefined) => {
    sessionRef.current = id;
    setSessionId(id);
    setSessionInUrl(id);
    setEvents([]);
    setApprovals(new Map());
    setDetail(undefined);
    setView('chat');
    setMenuOpen(false);
    connection.current?.follow(id);
    refreshDetail(id);
  }, [refreshDetail]);

  useEffect(() => {
    let cancelled = false;
    void (async () => {
      try {
        const list = await getJson<SessionSummary[]>('/api/sessions');
        if (cancelled) return;
        setSessions(list);
        setAuth('ok');
      } catch (error) {
        if (!cancelled) setAuth(error instanceof ApiFailure && error.status === 401 ? 'unauthorized' : 'ok');
      }
    })();
    return () => {
      cancelled = true;
    };
  }, []);

  useEffect(() => {
    if (auth !== 'ok') return;
    const onEvent = (event: ChatEvent) => {
      if (sessionRef.current === undefined) {
        sessionRef.current = event.sessionId;
        setSessionId(event.sessionId);
        setSessionInUrl(event.sessionId);
      }
      if (event.sessionId !== sessionRef.current) return;
      setEvents((current) => [...current, event]);
      if (event.type === 'run-start' || event.type === 'approval-request' || event.type === 'run-end') {
        refreshSessions();
        refreshInbox();
        if (event.type !== 'run-start') refreshDetail(event.sessionId);
      }
    };
    const onNotice = (frame: ChatNotice) => {
      if (frame.type === 'ready') {
        if (sessionRef.current === undefined) {
          sessionRef.current = frame.sessionId;
          setSessionId(frame.sessionId);
          setSessionInUrl(frame.sessionId);
        }
        refreshDetail(frame.sessionId);
      } else if (frame.type === 'approval-resolved') {
        if (frame.sessionId === sessionRef.current) setApprovals((current) => new Map(current).set(frame.approval.id, frame.approval));
        refreshInbox();
      } else if (frame.type === 'error') {
        setNotice(frame.message);
      }
    };
    const chat = new ChatConnection({ onEvent, onNotice, onStatus: setStatus });
    connection.current = chat;
    chat.start();
    if (sessionRef.current) {
      chat.follow(sessionRef.current);
      refreshDetail(sessionRef.current);
    }
    refreshInbox();
    getJson<ServerInfo[]>('/api/servers').then(setServers, () => {});
    getJson<Panels>('/api/panels').then(setPanels, () => {});
    const timer = setInterval(refreshInbox, 15_000);
    return () => {
      clearInterval(timer);
      chat.stop();
    };
  }, [auth, refreshDetail, refreshInbox, refreshSessions]);

  useEffect(() => {
    if (view === 'usage') getJson<Usage>('/api/usage?days=30').then(setUsage, () => {});
    if (view === 'servers') getJson<ServerInfo[]>('/api/servers').then(setServers, () => {});
  }, [view]);

  const timeline = useMemo(() => buildTimeline(events, approvals), [events, approvals]);

  const send = (text: string) => {
    setNotice(undefined);
    connection.current?.send({ type: 'message', text, ...(sessionRef.current ? { sessionId: sessionRef.current } : {}) });
  };
  const decide = (approvalId: string, decision: Decision) => {
    setNotice(undefined);
    if (decision.type === 'approve') connection.current?.send({ type: 'approve', approvalId, ...(decision.scope ? { scope: decision.scope } : {}), ...(decision.args ? { args: decision.args } : {}) });
    else if (decision.type === 'deny') connection.current?.send({ type: 'deny', approvalId, ...(decision.note ? { note: decision.note } : {}) });
    else connection.current?.send({ type: 'answer', approvalId, text: decision.text });
  };

  if (auth === 'unauthorized') {
    return (
      <main className="login">
        <h1>Deckhand</h1>
        <p>This page needs the access token. Open the URL <code>deckhand serve</code> printed (<code>http://127.0.0.1:8787/?token=…</code>); the token is also in <code>$DECKHAND_HOME/api-token</code>.</p>
      </main>
    );
  }

  const budget = detail?.budgetUsd ?? null;
  const spent = timeline.totals.costUsd;
  const tabs: Array<[View, string]> = [
    ['chat', 'Chat'],
    ['inbox', `Inbox${inbox.length ? ` (${inbox.length})` : ''}`],
    ['servers', 'Servers'],
    ['usage', 'Usage'],
    ...(panels.deployments ? ([['deployments', 'Deployments']] as Array<[View, string]>) : []),
    ...(panels.systemHealth ? ([['health', 'Health']] as Array<[View, string]>) : []),
  ];
  return (
    <div className="app">
      <a className="skip" href="#main">Skip to content</a>
      <header className="topbar">
        <button type="button" className="menu" aria-label="Sessions" aria-expanded={menuOpen} onClick={() => setMenuOpen(!menuOpen)}>☰</button>
        <h1 className="brand">Deckhand</h1>
        <nav aria-label="Views" className="tabs">
          {tabs.map(([key, label]) => (
            <button key={key} type="button" className={view === key ? 'tab active' : 'tab'} aria-current={view === key ? 'page' : undefined} onClick={() => setView(key)}>{label}</button>
          ))}
        </nav>
        <div className="meter" data-testid="usage-meter" aria-label="This session's usage">
          <span>{(timeline.totals.inputTokens + timeline.totals.outputTokens).toLocaleString()} tokens</span>
          <span>{money(spent)}{budget !== null ? ` / ${money(budget)}` : ''}</span>
          {budget !== null && <progress max={budget} value={Math.min(spent, budget)} aria-label="Cost against the budget" />}
        </div>
        <span className={`dot dot-${status}`} role="status" aria-label={`connection ${status}`} title={`connection ${status}`} />
        <button type="button" className="theme" aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`} onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}>{theme === 'dark' ? '☀' : '☾'}</button>
      </header>
      <div className="body">
        <aside className={menuOpen ? 'sidebar open' : 'sidebar'} aria-label="Sessions">
          <button type="button" className="primary new" onClick={() => choose(undefined)}>+ New session</button>
          <ul>
            {sessions.map((session) => (
              <li key={session.id}>
                <button type="button" className={session.id === sessionId ? 'session active' : 'session'} aria-current={session.id === sessionId ? 'true' : undefined} onClick={() => choose(session.id)}>
                  <span className="title">{session.title ?? session.id}</span>
                  <span className="muted">{new Date(session.createdAt).toLocaleString()} · {session.runs} run{session.runs === 1 ? '' : 's'}</span>
                </button>
              </li>
            ))}
          </ul>
        </aside>
        <main id="main" className="main">
          {notice && <p className="error banner" role="alert">{notice} <button type="button" className="link" onClick={() => setNotice(undefined)}>dismiss</button></p>}
          {view === 'chat' && <Chat items={timeline.items} running={timeline.running} connected={status === 'open'} onSend={send} onCancel={(runId) => connection.current?.send({ type: 'cancel', runId })} onDecide={decide} />}
          {view === 'inbox' && <Inbox approvals={inbox} onOpenSession={choose} onChanged={refreshInbox} />}
          {view === 'servers' && <Servers servers={servers} />}
          {view === 'usage' && <UsageChart usage={usage} />}
          {view === 'deployments' && <Deployments />}
          {view === 'health' && <SystemHealth />}
        </main>
      </div>
    </div>
  );
}

/** @module The SDK's stdio client transport with the server as a process-group leader (see `process-group.ts`). */
import { type StdioServerParameters, StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { commandExists, findSetsid, killProcessGroup, trackProcessGroup } from './process-group.js';

/**
 * The SDK's stdio client transport, with the server started as a process-group leader and the whole group
 * killed when the transport closes (the SDK itself ends only the server's own process).
 */
export class ProcessGroupStdioTransport extends StdioClientTransport {
  private leader: number | undefined;

  constructor(parameters: StdioServerParameters) {
    // A command that does not exist is left unwrapped, so the spawn fails with ENOENT (reported as "not found"),
    // not with setsid's own complaint.
    const exists = commandExists(parameters.command, parameters.env?.PATH ?? process.env.PATH ?? '', parameters.cwd ?? process.cwd());
    const setsid = exists ? findSetsid() : null;
    super(setsid ? { ...parameters, command: setsid, args: [parameters.command, ...(parameters.args ?? [])] } : parameters);
    this.grouped = setsid !== null;
  }

  private readonly grouped: boolean;

  override async start(): Promise<void> {
    await super.start();
    // setsid execs the server in place (a process spawned by Node is not a group leader, so it does not fork): the pid is the server's.
    if (this.grouped && this.pid) {
      this.leader = this.pid;
      trackProcessGroup(this.leader);
    }
  }

  override async close(): Promise<void> {
    const leader = this.leader;
    this.leader = undefined;
    await super.close();
    if (leader !== undefined) await killProcessGroup(leader);
  }
}

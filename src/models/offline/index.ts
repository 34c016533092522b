// Placeholder: the offline planner is being written (see issue 2). Replaced by the real implementation.
import type { Model, ModelPart, ModelRequest } from '../types.js';

export class OfflineModel implements Model {
  readonly id = 'offline';
  readonly provider = 'offline';
  readonly modelName = 'offline';
  // biome-ignore lint/correctness/useYield: placeholder
  async *stream(_request: ModelRequest): AsyncIterable<ModelPart> {
    throw new Error('offline planner not implemented yet');
  }
}

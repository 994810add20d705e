/**
 * The shape every model agent (ONNX or endpoint) records about what it runs on: below the onnx
 * runtime and the runners, which both hand it out.
 * @module
 */

/** What a model agent runs on; recorded with every episode it plays. */
export interface ModelInfo {
  /** What kind of model runs it. */
  kind: "onnx" | "openai" | "anthropic";
  /** The execution provider that actually runs the model (`cpu`, `cuda`, `webgpu`). */
  provider?: string;
  /** Model folder or endpoint model name. */
  model: string;
  /** SHA-256 of the model files, when local. */
  model_hash?: string;
  /** The inference runtime and its version, e.g. `onnxruntime-node 1.30.0`. */
  runtime?: string;
  /** The onnxruntime intra-op threads the model got (0: one per core). */
  threads?: number;
  /** Whether tool calls were decoded under the tool-call grammar (ONNX agents' `grammar: true`). */
  grammar?: boolean;
}

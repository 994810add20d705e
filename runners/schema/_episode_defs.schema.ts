/**
 * episode.v1.json's `$defs` (the shapes its events share: calls, observations, messages, …), apart
 * from episode.schema.ts to keep that file short.
 * @module
 */
import { ERROR_KINDS } from "../../tools/types.ts";

/** The `$defs` of the episode log's schema. */
export const EPISODE_DEFS = {
  "phase": {
    "enum": [
      "trial",
      "execute",
    ],
  },
  "observation": {
    "oneOf": [
      {
        "type": "object",
        "required": [
          "ok",
          "result",
        ],
        "properties": {
          "ok": {
            "const": true,
          },
          "result": true,
        },
        "additionalProperties": false,
      },
      {
        "type": "object",
        "required": [
          "ok",
          "error",
        ],
        "properties": {
          "ok": {
            "const": false,
          },
          "error": {
            "type": "object",
            "required": [
              "kind",
              "message",
            ],
            "properties": {
              "kind": {
                "enum": [...ERROR_KINDS],
              },
              "message": {
                "type": "string",
              },
              "details": true,
            },
            "additionalProperties": false,
          },
        },
        "additionalProperties": false,
      },
    ],
  },
};

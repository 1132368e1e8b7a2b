/** Gives a receptor's command a schema, so the app validates it at dispatch and a form can be made from it. */
import type { CommandDefinition, Receptor, StandardSchemaV1 } from '../../../js/mod.ts';
import { defineCommand } from '../../../js/mod.ts';

/** The same receptor, answering a command of the same type that carries `schema`. */
export function withSchema<R extends Receptor<any, any, any>>(
  receptor: R,
  schema: StandardSchemaV1,
): { receptor: R; definition: CommandDefinition<string, any, any> } {
  const definition = defineCommand(receptor.command.type, schema);
  return { receptor: { ...receptor, command: definition }, definition };
}

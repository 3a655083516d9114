import { NodeHelpers, type INodeParameters } from 'n8n-workflow';
import { DurableSmsSending } from '../../nodes/DurableSmsSending/DurableSmsSending.node';

const { description } = new DurableSmsSending();
/** The parameters n8n resolves for a Sending node saved with only these values. */
const resolved = (typeVersion: number, values: INodeParameters) =>
  NodeHelpers.getNodeParameters(description.properties, values, true, false, { typeVersion }, description)!;

describe('Sending: Reschedule keeps the send time unless a new one is chosen', () => {
  it("a new node (version 2) asks for the new time: When is Later, the date required and empty, the zone the project's", () => {
    expect(description.defaultVersion).toBe(2);
    const params = resolved(2, { operation: 'reschedule' });
    expect(params).toMatchObject({ when: 'later', localDateTime: '', timeZone: 'project' });
    const issues = NodeHelpers.getNodeParametersIssues(
      description.properties,
      { typeVersion: 2, parameters: params } as never,
      description,
    );
    expect(Object.keys(issues?.parameters ?? {})).toEqual(['localDateTime']);
  });

  it('Now only when chosen', () => {
    expect(resolved(2, { operation: 'reschedule', when: 'now' })).toMatchObject({ when: 'now' });
  });

  it('a node saved as version 1 keeps its default, Now', () => {
    expect(resolved(1, { operation: 'reschedule' })).toMatchObject({ when: 'now' });
  });
});

import type {
  ICredentialTestFunctions,
  ICredentialsDecrypted,
  ILoadOptionsFunctions,
  INodeCredentialTestResult,
  INodePropertyOptions,
} from 'n8n-workflow';
import { PROJECT_TIME_ZONE } from './parameters';
import { sendingsFor, testConnection } from './transport';

/** Option lists read live from the worker's directory, through Temporal. */
export const loadOptions = {
  async getProjects(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
    return (await sendingsFor(this)).lookup({ kind: 'projects' });
  },
  async getGroups(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
    const projectId = String(this.getCurrentNodeParameter('projectId') ?? '');
    if (!projectId) return [];
    return (await sendingsFor(this)).lookup({ kind: 'groups', projectId });
  },
  async getTimeZones(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
    const zones = await (await sendingsFor(this)).lookup({ kind: 'timeZones' });
    return [
      { name: "The Project's Time Zone", value: PROJECT_TIME_ZONE, description: "The sending's project's zone, read when the node runs" },
      ...zones,
    ];
  },
};

export const credentialTest = {
  async temporalConnectionTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
    return testConnection(credential.data ?? {});
  },
};

import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * Where the durable SMS worker runs: a Temporal frontend, namespace and task queue. Tested by the
 * nodes' `temporalConnectionTest` (gRPC, so not a declarative HTTP test).
 */
export class DurableSmsTemporalApi implements ICredentialType {
  name = 'durableSmsTemporalApi';

  displayName = 'Durable SMS (Temporal) API';

  icon: Icon = { light: 'file:../icons/durable-sms.svg', dark: 'file:../icons/durable-sms.dark.svg' };

  documentationUrl = 'https://github.com/durable-sms/n8n-nodes-durable-sms#the-nodes';

  properties: INodeProperties[] = [
    {
      displayName: 'Address',
      name: 'address',
      type: 'string',
      default: '127.0.0.1:7233',
      placeholder: 'my-namespace.a1b2c.tmprl.cloud:7233',
      description: 'Host and port of the Temporal frontend (gRPC)',
      required: true,
    },
    { displayName: 'Namespace', name: 'namespace', type: 'string', default: 'default', required: true },
    {
      displayName: 'Task Queue',
      name: 'taskQueue',
      type: 'string',
      default: 'durable-sms',
      description: 'Task queue the durable SMS workers poll (their TEMPORAL_TASK_QUEUE)',
      required: true,
    },
    {
      displayName: 'TLS',
      name: 'tls',
      type: 'options',
      default: 'none',
      options: [
        { name: 'None', value: 'none', description: 'Plain text (local dev server)' },
        {
          name: 'Server Certificate Authority',
          value: 'serverCa',
          description: 'TLS; the server certificate is checked against the CA below (or the system CAs when empty)',
        },
        { name: 'Mutual TLS', value: 'mutual', description: 'TLS with a client certificate and key' },
      ],
    },
    {
      displayName: 'Server CA Certificate (PEM)',
      name: 'serverCa',
      type: 'string',
      typeOptions: { rows: 4 },
      default: '',
      displayOptions: { show: { tls: ['serverCa', 'mutual'] } },
    },
    {
      displayName: 'Client Certificate (PEM)',
      name: 'clientCert',
      type: 'string',
      typeOptions: { rows: 4, password: true },
      default: '',
      displayOptions: { show: { tls: ['mutual'] } },
    },
    {
      displayName: 'Client Private Key (PEM)',
      name: 'clientPrivateKey',
      type: 'string',
      typeOptions: { rows: 4, password: true },
      default: '',
      displayOptions: { show: { tls: ['mutual'] } },
    },
    {
      displayName: 'Server Name Override',
      name: 'serverName',
      type: 'string',
      default: '',
      description: 'TLS server name, when it differs from the address host',
      displayOptions: { show: { tls: ['serverCa', 'mutual'] } },
    },
    {
      displayName: 'API Key',
      name: 'apiKey',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      description: 'Temporal Cloud API key; turns TLS on',
    },
  ];
}

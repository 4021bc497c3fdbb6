// cdk-nag's AwsSolutions pack on the example app (examples/cdk/app.js, with the stand-in code):
// 0 unacknowledged findings, and each acknowledgement where the library or the app put it.
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, it } from 'node:test';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { standInDir } from './support';

const { ConnectUsersStack } = require('../../examples/cdk/app.js');

interface Violation {
  ruleName: string;
  violatingResources: { resourceLogicalId: string; locations: string[] }[];
}

/** Synthesizes the example with cdk-nag: the violations its report lists (none: synth passes). */
function nagReport(): { violations: Violation[]; acknowledged: string[] } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-user-nag-'));
  const app = new App({ outdir, context: { codeDir: standInDir() } });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  new ConnectUsersStack(app, 'ConnectUsers');
  let failed: unknown;
  try {
    app.synth();
  } catch (error) {
    failed = error;
  }
  const reportFile = path.join(outdir, 'validation-report.json');
  const report = fs.existsSync(reportFile) ? JSON.parse(fs.readFileSync(reportFile, 'utf8')) : { pluginReports: [] };
  const violations: Violation[] = report.pluginReports.flatMap((r: { violations: Violation[] }) => r.violations);
  if (failed && violations.length === 0) throw failed;
  // Every acknowledgement, by the path of the construct that holds it.
  const acknowledged: string[] = [];
  for (const construct of app.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      // `{ "<id>": "<reason>" }`, the id as `Validations.acknowledge` records it.
      for (const id of Object.keys(entry.data as object)) acknowledged.push(`${construct.node.path} ${id}`);
    }
  }
  return { violations, acknowledged };
}

describe('cdk-nag (AwsSolutions) on the example app', () => {
  const { violations, acknowledged } = nagReport();

  it('reports no unacknowledged finding', () => {
    assert.deepEqual(
      violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.resourceLogicalId).join(', ')}`),
      [],
    );
  });

  it('acknowledges only the wildcards it cannot narrow, on the library\'s own policies, and SMG4 in the app', () => {
    const connect = (type: string) =>
      `Annotation::AwsSolutions-IAM5[Resource::["arn:\${AWS::Partition}:connect:\${AWS::Region}:\${AWS::AccountId}:` +
      `instance/\${InstanceId}/${type}/*",{"InstanceId":{"Ref":"InstanceId"}}]]`;
    const types = ['agent', 'routing-profile', 'security-profile', 'agent-group'];
    const expected = [
      'ConnectUsers/AgentPassword Annotation::AwsSolutions-SMG4',
      ...types.map((type) => `ConnectUsers/ConnectUserFunctionRole/DefaultPolicy ${connect(type)}`),
      ...types.map((type) => `ConnectUsers/ProviderFunctionRole/DefaultPolicy ${connect(type)}`),
    ];
    const provider = acknowledged.filter((a) => a.startsWith('ConnectUsers/ProviderFunction/ProviderRole/DefaultPolicy '));
    assert.equal(provider.length, 1, acknowledged.join('\n'));
    assert.match(provider[0], /Annotation::AwsSolutions-IAM5\[Resource::<ProviderFunction[0-9A-F]{8}\.Arn>:\*\]$/);
    assert.deepEqual(acknowledged.filter((a) => !provider.includes(a)).sort(), expected.sort());
  });
});

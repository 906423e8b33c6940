import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { K8sObject } from '../../core/k8s.js';
import { componentSandboxDir } from '../../core/paths.js';
import { container, find, kindNames, renderComponent, testContext } from '../../render/testing.js';
import { msgsvc } from './component.js';
import { msgsvcSchema } from './values.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const broker = (objs: K8sObject[]) => find(objs, 'Deployment', 'test-msgsvc-activemq');
const pvc = (objs: K8sObject[]) => find(objs, 'PersistentVolumeClaim', 'test-msgsvc-activemq');

describe('msgsvc defaults', () => {
  const objs = renderComponent('msgsvc');

  it('renders the sandbox, a hostPath PV with its claim, the Service and the Deployment', () => {
    expect(kindNames(objs)).toEqual([
      'ConfigMap/test-msgsvc-activemq-sandbox',
      'PersistentVolume/test-msgsvc-activemq',
      'PersistentVolumeClaim/test-msgsvc-activemq',
      'Service/test-msgsvc-activemq',
      'Deployment/test-msgsvc-activemq',
    ]);
  });

  it('ships install_conf.py and the broker template in the sandbox', () => {
    const cm = find(objs, 'ConfigMap', 'test-msgsvc-activemq-sandbox') as { binaryData: Record<string, string> };
    expect(Object.keys(cm.binaryData).sort()).toEqual(['activemq.xml', 'install_conf.py']);
    expect(Buffer.from(cm.binaryData['activemq.xml']!, 'base64').toString()).toContain('___AUTH_ENTRIES___');
  });

  it('binds the claim to its own PV by selector', () => {
    const pv = find(objs, 'PersistentVolume', 'test-msgsvc-activemq') as { spec: Record<string, any> };
    expect(pv.spec).toMatchObject({ storageClassName: 'manual', capacity: { storage: '5Gi' }, hostPath: { path: '/mnt/activemq-data' } });
    expect(pvc(objs).spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'activemq', 'app.kubernetes.io/instance': 'test-msgsvc' } });
  });

  it('serves STOMP on 61613', () => {
    const svc = find(objs, 'Service', 'test-msgsvc-activemq') as { spec: Record<string, any> };
    expect(svc.spec.ports).toEqual([{ name: 'activemq-port', port: 61613, targetPort: 'activemq-port', protocol: 'TCP' }]);
    expect(container(broker(objs)).ports).toEqual([{ name: 'activemq-port', containerPort: 61613, protocol: 'TCP' }]);
  });

  it('runs the pinned image with the root start sequence and reads the msgsvc Secret', () => {
    const c = container(broker(objs));
    expect(c.image).toBe('ghcr.io/pandawms/panda-activemq:0.0.4');
    expect(c.imagePullPolicy).toBe('IfNotPresent');
    expect(c.args[0]).toMatch(
      /^python3 \/opt\/activemq\/sandbox\/install_conf\.py; export ACTIVEMQ_OPTS_MEMORY="-Xms64M -Xmx\d+M"; chmod -R 777 \$\{ACTIVEMQ_DATA\}; runuser -u activemq -g activemq \/opt\/activemq\/bin\/run-activemq-services; sleep infinity & wait$/,
    );
    expect(c.envFrom).toEqual([{ secretRef: { name: 'panda-secrets-msgsvc-envs' } }]);
    expect(c.volumeMounts).toEqual([
      { name: 'test-msgsvc-activemq-data', mountPath: '/appdata/activemq' },
      { name: 'test-msgsvc-activemq-sandbox', mountPath: '/opt/activemq/sandbox' },
    ]);
  });

  it('HEAD: strategy Recreate (one broker owns the store), STOMP probes, 4 CPU / 16Gi', () => {
    const d = broker(objs);
    expect(d.spec.strategy).toEqual({ type: 'Recreate' });
    const c = container(broker(objs));
    expect(c.livenessProbe).toEqual({ tcpSocket: { port: 61613 }, initialDelaySeconds: 60, periodSeconds: 30, failureThreshold: 3 });
    expect(c.readinessProbe).toEqual({ tcpSocket: { port: 61613 }, initialDelaySeconds: 30, periodSeconds: 10, failureThreshold: 3 });
    expect(c.resources).toEqual({ limits: { cpu: '4000m', memory: '16Gi' }, requests: { cpu: '4000m', memory: '16Gi' } });
  });

  it('the JVM heap fits the memory limit (upstream: -Xmx32G under a 16Gi limit)', () => {
    expect(container(broker(objs)).args[0]).toContain('-Xms64M -Xmx12288M');
    const big = container(broker(renderComponent('msgsvc', { activemq: { resources: { limits: { memory: '32Gi' } } } })));
    expect(big.args[0]).toContain('-Xmx24576M');
    const none = container(broker(renderComponent('msgsvc', { activemq: { resources: {} } })));
    expect(none.args[0]).toContain('-Xms64M -Xmx32G');
    const own = container(broker(renderComponent('msgsvc', { activemq: { javaMemory: '-Xmx2G' } })));
    expect(own.args[0]).toContain('export ACTIVEMQ_OPTS_MEMORY="-Xmx2G";');
  });
});

describe('msgsvc options', () => {
  it('noRoot runs the broker directly, without chmod or runuser', () => {
    const args = container(broker(renderComponent('msgsvc', { activemq: { noRoot: true } }))).args[0] as string;
    expect(args).toContain('install_conf.py');
    expect(args).toContain('/opt/activemq/bin/run-activemq-services');
    expect(args).not.toContain('chmod');
    expect(args).not.toContain('runuser');
  });

  it('create false renders no PV; selector false leaves the claim unbound to labels', () => {
    const objs = renderComponent('msgsvc', { activemq: { persistentvolume: { create: false, class: 'nas', selector: false } } });
    expect(objs.some((o) => o.kind === 'PersistentVolume')).toBe(false);
    expect(pvc(objs).spec.storageClassName).toBe('nas');
    expect(pvc(objs).spec).not.toHaveProperty('selector');
  });

  it('create false with selector true does not select: no volume of ours could match, the claim would stay Pending', () => {
    const objs = renderComponent('msgsvc', { activemq: { persistentvolume: { create: false } } });
    expect(objs.some((o) => o.kind === 'PersistentVolume')).toBe(false);
    expect(pvc(objs).spec).not.toHaveProperty('selector');
    expect(pvc(renderComponent('msgsvc')).spec.selector).toBeDefined();
  });

  it('reads the Secret under the configured prefix', () => {
    const ctx = testContext('msgsvc', 'test-', 'site-secrets');
    const objs = msgsvc.render(msgsvcSchema.parse({}), ctx);
    expect(container(broker(objs)).envFrom).toEqual([{ secretRef: { name: 'site-secrets-msgsvc-envs' } }]);
  });

  it('follows the affix and fullnameOverride', () => {
    const objs = msgsvc.render(msgsvcSchema.parse({}), testContext('msgsvc', '-dev'));
    expect(objs.map((o) => o.metadata.name)).toContain('msgsvc-dev-activemq');
    const o2 = renderComponent('msgsvc', { activemq: { fullnameOverride: 'broker' } });
    expect(find(o2, 'Service', 'broker').kind).toBe('Service');
    expect(find(o2, 'ConfigMap', 'broker-sandbox').kind).toBe('ConfigMap');
  });

  it('accepts the dead initContainers value of upstream values-initcontainer.yaml without effect', () => {
    const a = renderComponent('msgsvc', { activemq: { initContainers: { enabled: 'ture' } } });
    expect(a).toEqual(renderComponent('msgsvc'));
  });

  it('renders nothing when activemq.enabled is false', () => {
    expect(renderComponent('msgsvc', { activemq: { enabled: false } })).toEqual([]);
  });

  it('rejects unknown keys', () => {
    expect(() => msgsvcSchema.parse({ activemq: { noroot: true } })).toThrow();
  });
});

const python = spawnSync('python3', ['--version']).status === 0;

describe.skipIf(!python)('install_conf.py', () => {
  function run(env: Record<string, string>) {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'activemq-'));
    fs.mkdirSync(path.join(home, 'conf'));
    const script = path.join(componentSandboxDir('msgsvc'), 'activemq', 'install_conf.py');
    execFileSync('python3', [script], { env: { PATH: process.env.PATH ?? '', ACTIVEMQ_HOME: home, ...env } });
    const read = (f: string) => fs.readFileSync(path.join(home, 'conf', f), 'utf8');
    return { users: read('users.properties'), groups: read('groups.properties'), xml: read('activemq.xml') };
  }

  it('derives users, groups and authorization entries from the Secret variables', () => {
    const out = run({
      ACTIVEMQ_BASE_PASSWD: 'base',
      ACTIVEMQ_ACCOUNTS: 'panda;jedi;idds',
      ACTIVEMQ_CHANNELS: 'idds_panda:idds:panda,jedi;panda_idds:panda,jedi:idds',
    });
    expect(out.users.trim().split('\n')).toEqual(['system=base', 'panda=base_panda', 'jedi=base_jedi', 'idds=base_idds']);
    expect(out.groups.trim().split('\n')).toEqual(['admins=system', 'users=panda,jedi,idds', 'panda=system,panda', 'jedi=system,jedi', 'idds=system,idds']);
    const entries = out.xml.split('\n').filter((l) => l.includes('<authorizationEntry ')).map((l) => l.trim().replace(/&gt;/g, '>'));
    expect(entries).toEqual([
      '<authorizationEntry queue=">" read="admins" write="admins" admin="admins" />',
      '<authorizationEntry topic=">" read="admins" write="admins" admin="admins" />',
      '<authorizationEntry topic="ActiveMQ.Advisory.>" read="users" write="users" admin="users" />',
      '<authorizationEntry queue="idds_panda.>" read="panda,jedi" write="idds" admin="users" />',
      '<authorizationEntry topic="idds_panda.>" read="panda,jedi" write="idds" admin="users" />',
      '<authorizationEntry queue="panda_idds.>" read="idds" write="panda,jedi" admin="users" />',
      '<authorizationEntry topic="panda_idds.>" read="idds" write="panda,jedi" admin="users" />',
    ]);
    expect(out.xml).not.toContain('___AUTH_ENTRIES___');
  });

  it('keeps the broker template settings', () => {
    const { xml } = run({ ACTIVEMQ_BASE_PASSWD: 'b', ACTIVEMQ_ACCOUNTS: 'panda', ACTIVEMQ_CHANNELS: '' });
    expect(xml).toContain('brokerName="localhost"');
    expect(xml).toContain('stomp://0.0.0.0:61613?maximumConnections=1000&amp;wireFormat.maxFrameSize=104857600');
    expect(xml).toContain('<kahaDB directory="${activemq.data}/kahadb"/>');
    expect(xml).toContain('<jaasAuthenticationPlugin configuration="activemq"/>');
    expect(xml).toContain('createConnector="false"');
    expect(xml).toContain('<import resource="jetty.xml"/>');
    expect(xml.match(/<transportConnector /g)).toHaveLength(1);
  });

  it('fails on a malformed channel definition instead of writing a broken config', () => {
    expect(() => run({ ACTIVEMQ_BASE_PASSWD: 'b', ACTIVEMQ_ACCOUNTS: 'panda', ACTIVEMQ_CHANNELS: 'only_a_name' })).toThrow();
  });
});

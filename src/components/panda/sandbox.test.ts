/** The panda sandbox files: scripts parse, configs are valid, process_template.py renders as described. */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SANDBOX = path.join(path.dirname(fileURLToPath(import.meta.url)), 'sandbox');
const file = (set: string, name: string) => path.join(SANDBOX, set, name);
const read = (set: string, name: string) => fs.readFileSync(file(set, name), 'utf8');
const json = (set: string, name: string) => JSON.parse(read(set, name)) as Record<string, any>;

const python = ['python3', 'python'].find((p) => spawnSync(p, ['--version']).status === 0);
const hasBash = spawnSync('bash', ['--version']).status === 0;

describe('panda sandbox: shell scripts', () => {
  const scripts: Array<[string, string]> = [
    ['server', 'init-panda'],
    ['server', 'run-panda-crons'],
    ['jedi', 'init-jedi'],
    ['jedi', 'run-jedi-crons'],
    ['server', 'run-panda-services'],
    ['jedi', 'run-jedi-services'],
  ];

  it.each(scripts)('%s/%s is a bash script', (set, name) => {
    expect(read(set, name).startsWith('#!/bin/bash\n')).toBe(true);
  });

  it.skipIf(!hasBash).each(scripts)('%s/%s parses (bash -n)', (set, name) => {
    expect(() => execFileSync('bash', ['-n', file(set, name)])).not.toThrow();
  });

  it('init scripts honour PANDA_NO_ROOT and link the message-broker configs where the configs name them (B17)', () => {
    const panda = read('server', 'init-panda');
    const jedi = read('jedi', 'init-jedi');
    for (const s of [panda, jedi]) {
      expect(s).toContain('PANDA_NO_ROOT');
      expect(s).toContain('runuser -u atlpan -g zp');
      expect(s).toContain('/home/atlpan/.idds/idds_local.cfg');
      expect(s).toContain('/opt/panda/usr/bin/panda_server-configurator');
    }
    expect(panda).toMatch(/for f in panda_mbproxy_config\.json/);
    expect(jedi).toMatch(/for f in jedi_mq_config\.json jedi_msg_proc_config\.json panda_mbproxy_config\.json/);
    expect(panda).toMatch(/mkdir -p \$\{LOGS\}\/pandacache/);
    expect(panda).toContain('hostcert.pem');
    expect(read('server', 'run-panda-crons')).toContain('cacheSC.sh');
  });

  it('init-panda falls back to the host certificate as chain when no chain.pem is mounted', () => {
    expect(read('server', 'init-panda')).toMatch(/if \[ ! -f \$\{CERTS\}\/chain\.pem \]; then[\s\S]*ln -sfn \/etc\/grid-security\/hostcert\.pem \/etc\/grid-security\/chain\.pem/);
  });

  it('the launchers run init, the crons in the background, then the service; the crons rotate the logs with the sandbox config', () => {
    for (const [x, service] of [['panda', 'httpd-pandasrv'], ['jedi', 'panda-jedi']] as const) {
      const set = x === 'panda' ? 'server' : 'jedi';
      const s = read(set, `run-${x}-services`);
      const order = [`/data/panda/init-${x}`, `/data/panda/run-${x}-crons &`, `/etc/rc.d/init.d/${service} start`];
      const at = order.map((o) => s.indexOf(o));
      expect(at.every((p) => p >= 0)).toBe(true);
      expect([...at].sort((a, b) => a - b)).toEqual(at);
      expect(read(set, `run-${x}-crons`)).toContain(`/usr/sbin/logrotate -s /tmp/logrotate-${x}.status /data/panda/logrotate-${x}`);
      expect(read(set, `logrotate-${x}`)).toMatch(new RegExp(`^/var/log/panda/\\*log \\{[\\s\\S]*/etc/rc.d/init.d/${service} start`, 'm'));
    }
  });
});

describe('panda sandbox: message-broker configs', () => {
  it('server mbproxy: brokers and queues', () => {
    const c = json('server', 'panda_mbproxy_config.json');
    expect(Object.keys(c.mb_servers)).toEqual(['iDDS_mb', 'panda_mb', 'internal_mb', 'pilot_mb']);
    for (const s of Object.values(c.mb_servers)) {
      expect(s).toMatchObject({ host_port_list: ['${PANDA_ACTIVEMQ_LIST}'], use_ssl: false, username: 'panda', passcode: '${PANDA_ACTIVEMQ_PASSWD_panda}' });
    }
    expect(c.queues).toEqual({
      panda_jobstatus: { server: 'iDDS_mb', destination: '/topic/panda_idds' },
      panda_jedi: { server: 'panda_mb', destination: '/queue/panda_jedi' },
      panda_pilot_queue_1: { server: 'pilot_mb', destination: '/queue/panda_pilot' },
      panda_pilot_topic_1: { server: 'pilot_mb', destination: '/topic/panda_pilot' },
    });
  });

  it('jedi mq config', () => {
    const c = json('jedi', 'jedi_mq_config.json');
    expect(c.mb_servers.internal_mb).toMatchObject({ host_port_list: ['${PANDA_ACTIVEMQ_LIST}'], username: 'jedi', passcode: '${PANDA_ACTIVEMQ_PASSWD_jedi}' });
    expect(c.queues).toEqual({
      jedi_jobtaskstatus: { server: 'internal_mb', destination: '/queue/self.jedi_jobtaskstatus' },
      jedi_contents_feeder: { server: 'internal_mb', destination: '/queue/jedi_contents_feeder' },
      jedi_job_generator: { server: 'internal_mb', destination: '/queue/jedi_job_generator' },
    });
  });

  it('jedi message processors', () => {
    const c = json('jedi', 'jedi_msg_proc_config.json');
    expect(Object.keys(c.mb_servers)).toEqual(['iDDS_mb', 'internal_mb']);
    expect(c.queues).toEqual({
      idds: { server: 'iDDS_mb', destination: '/queue/idds_panda' },
      jedi_jobtaskstatus: { server: 'internal_mb', destination: '/queue/self.jedi_jobtaskstatus' },
      'to-idds': { server: 'iDDS_mb', destination: '/topic/panda_idds' },
      panda_jedi: { server: 'internal_mb', destination: '/queue/panda_jedi' },
      jedi_contents_feeder: { server: 'internal_mb', destination: '/queue/jedi_contents_feeder', ack_mode: 'auto', max_buffer_len: 1, buffer_block_sec: 1 },
      jedi_job_generator: { server: 'internal_mb', destination: '/queue/jedi_job_generator', ack_mode: 'auto', max_buffer_len: 1, buffer_block_sec: 1 },
    });
    expect(c.processors['atlas-idds']).toMatchObject({ module: 'pandajedi.jedimsgprocessor.atlas_idds_msg_processor', name: 'AtlasIddsMsgProcPlugin', in_queue: 'idds' });
    expect(c.processors.push_task_status).toMatchObject({ name: 'ForwardingMsgProcPlugin', in_queue: 'jedi_jobtaskstatus', out_queue: 'to-idds' });
    expect(c.processors['jedi-contents-feeder']).toMatchObject({ name: 'JediContentsFeederMsgProcPlugin', in_queue: 'jedi_contents_feeder' });
    expect(c.processors['jedi-job-generator']).toMatchObject({ name: 'JediJobGeneratorMsgProcPlugin', in_queue: 'jedi_job_generator' });
    expect(c.processors.proc_msg_from_panda).toMatchObject({ name: 'PandaToJediMsgProcPlugin', in_queue: 'panda_jedi' });
  });
});

describe.skipIf(!python)('panda sandbox: process_template.py', () => {
  function run(files: Record<string, string>, env: Record<string, string>) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'panda-sandbox-'));
    fs.copyFileSync(file('external', 'process_template.py'), path.join(dir, 'process_template.py'));
    for (const [n, t] of Object.entries(files)) fs.writeFileSync(path.join(dir, n), t);
    execFileSync(python!, [path.join(dir, 'process_template.py')], { env: { PATH: process.env.PATH ?? '', ...env } });
    return dir;
  }

  it('renders each *.template next to itself; unset variables stay as ${VAR}; existing outputs are kept', () => {
    const dir = run(
      { 'a.cfg.template': 'x=${SET_ONE} y=${UNSET_ONE} z=$SET_ONE', 'b.json.template': 'new', 'b.json': 'operator', 'c.txt': '${SET_ONE}' },
      { SET_ONE: 'v1' },
    );
    expect(fs.readFileSync(path.join(dir, 'a.cfg'), 'utf8')).toBe('x=v1 y=${UNSET_ONE} z=$SET_ONE');
    expect(fs.readFileSync(path.join(dir, 'b.json'), 'utf8')).toBe('operator');
    expect(fs.existsSync(path.join(dir, 'c'))).toBe(false);
    expect(fs.readFileSync(path.join(dir, 'c.txt'), 'utf8')).toBe('${SET_ONE}');
  });

  it('renders the shipped templates into the files the images read', () => {
    const names = ['idds.cfg.template', 'idds_token.json.template', 'rucio.cfg.template'];
    const dir = run(Object.fromEntries(names.map((n) => [n, read('external', n)])), {
      PANDA_IDDS_HOST: 'idds-dev-rest',
      PANDA_IDDS_PORT: '8443',
      PANDA_IDDS_AUTH_VO: 'panda_dev',
      PANDA_IDDS_AUTH_ID_TOKEN: 'eyJ.abc.def',
      PANDA_RUCIO_HOST: 'rucio.example.org',
      PANDA_RUCIO_AUTH_TYPE: 'oidc',
    });
    const idds = fs.readFileSync(path.join(dir, 'idds.cfg'), 'utf8');
    expect(idds).toContain('host = https://idds-dev-rest:8443/idds');
    expect(idds).toContain('oidc_token_file = /data/panda/idds_token.json');
    expect(idds).toContain('vo = panda_dev');
    expect(fs.readFileSync(path.join(dir, 'idds_token.json'), 'utf8')).toContain('"id_token": "eyJ.abc.def"');
    const rucio = fs.readFileSync(path.join(dir, 'rucio.cfg'), 'utf8');
    expect(rucio).toContain('rucio_host = https://rucio.example.org');
    expect(rucio).toContain('auth_host = https://${PANDA_RUCIO_AUTH_HOST}');
    expect(rucio).toContain('auth_type = oidc');
  });
});

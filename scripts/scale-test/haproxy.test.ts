import { describe, expect, it } from 'vitest';
import { parseLogLine, parseServerStates, renderHaproxyConfig, type HaproxyConfigInput } from './haproxy';

const input: HaproxyConfigInput = {
  port: 8443,
  pemPath: '/tmp/x/lb.pem',
  servers: [
    { name: 'app1', port: 4001 },
    { name: 'app2', port: 4002 },
  ],
  statsSocket: '/tmp/x/haproxy.sock',
  check: { path: '/health/ready', interMs: 1000, fall: 2, rise: 2 },
};

describe('renderHaproxyConfig', () => {
  const cfg = renderHaproxyConfig(input);
  const lines = cfg.split('\n').map((l) => l.trim());

  it('terminates TLS on loopback with the given certificate and tells the app it was https', () => {
    expect(lines).toContain('bind 127.0.0.1:8443 ssl crt /tmp/x/lb.pem');
    // set-header replaces whatever a client sent; add-header would let it through.
    expect(lines).toContain('http-request set-header X-Forwarded-Proto https');
    expect(cfg).not.toMatch(/add-header X-Forwarded-Proto/);
  });

  it('balances every instance, health-checked on /health/ready', () => {
    expect(lines).toContain('balance roundrobin');
    expect(lines).toContain('option httpchk GET /health/ready');
    expect(lines).toContain('http-check expect status 200');
    expect(lines).toContain('default-server check inter 1000 fastinter 1000 downinter 1000 fall 2 rise 2');
    expect(lines).toContain('server app1 127.0.0.1:4001');
    expect(lines).toContain('server app2 127.0.0.1:4002');
  });

  it('retries failed connections and empty answers on another instance', () => {
    expect(lines).toContain('option redispatch 1');
    expect(lines).toContain('retry-on conn-failure empty-response');
    expect(lines.some((l) => /^retries [1-9]/.test(l))).toBe(true);
  });

  it('names the instance on every response and logs the path without the query (page URLs carry JWTs)', () => {
    expect(lines).toContain('http-response set-header X-Served-By %s');
    const format = lines.find((l) => l.startsWith('log-format'))!;
    expect(format).toContain('%HPO');
    expect(format).not.toMatch(/%HU|%HQ|%r\b|%\{\+Q\}r/);
  });
});

describe('parseLogLine', () => {
  it('reads a line in the configured format', () => {
    expect(parseLogLine('SCALE 1796307860.042 write-17 app2 201 ---- 0 12 POST /api/checklists/8000001/items')).toEqual({
      at: 1796307860042,
      id: 'write-17',
      server: 'app2',
      status: 201,
      termination: '----',
      retries: 0,
      redispatched: false,
      totalMs: 12,
      method: 'POST',
      path: '/api/checklists/8000001/items',
    });
  });

  it('reads redispatched retries, requests without an id and answers from HAProxy itself', () => {
    expect(parseLogLine('SCALE 1796307860.004 panel-3 app3 200 ---- +1 40 GET /panel/issue')).toMatchObject({ retries: 1, redispatched: true, server: 'app3' });
    expect(parseLogLine('SCALE 1796307860.004 - <NOSRV> 503 sC-- 3 1 GET /panel/issue')).toMatchObject({ id: '-', server: '<NOSRV>', status: 503, termination: 'sC--' });
    expect(parseLogLine('SCALE 1796307860.004 write-9 app1 -1 SD-- 0 -1 POST /x')).toMatchObject({ status: -1, totalMs: -1 });
  });

  it('ignores anything else HAProxy prints', () => {
    expect(parseLogLine('[NOTICE]   (1) : haproxy version is 2.6.12')).toBeUndefined();
    expect(parseLogLine('Server app/app1 is DOWN, reason: Layer7 wrong status')).toBeUndefined();
  });
});

describe('parseServerStates', () => {
  it('reads the state of each server of the app backend from `show stat`', () => {
    const csv = [
      '# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status',
      'lb,FRONTEND,,,0,1,2000,3,0,0,0,0,0,,,,,OPEN',
      'app,app1,0,0,0,1,,3,0,0,,0,,0,0,0,0,UP',
      'app,app2,0,0,0,1,,3,0,0,,0,,0,0,0,0,DOWN',
      'app,app3,0,0,0,1,,3,0,0,,0,,0,0,0,0,UP 1/2',
      'app,BACKEND,0,0,0,1,200,6,0,0,0,0,,0,0,0,0,UP',
      '',
    ].join('\n');
    expect(parseServerStates(csv)).toEqual({ app1: 'UP', app2: 'DOWN', app3: 'UP 1/2' });
  });
});

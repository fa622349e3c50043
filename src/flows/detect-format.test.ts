import { expect, test } from 'vitest'
import { detectFormat } from './detect-format.js'

test.each([
  { name: 'hubble jsonpb', line: '{"flow":{"time":"2026-12-07T10:00:00Z","verdict":"FORWARDED","IP":{"source":"10.244.1.10","destination":"10.244.2.10"}},"node_name":"node-11","time":"2026-12-07T10:00:00Z"}', want: 'hubble' },
  { name: 'hubble bare flow', line: '{"time":"2026-12-07T10:00:00Z","verdict":"DROPPED","IP":{"source":"10.244.1.10","destination":"10.244.2.10"},"l4":{"TCP":{"destination_port":80}}}', want: 'hubble' },
  { name: 'hubble truncated', line: '{"flow":{"time":"2026-12-07T10:00:00Z","verdict":"FORW', want: 'hubble' },
  { name: 'calico flows.log', line: '{"start_time":1796637600,"source_ip":"-","dest_port":8080,"reporter":"src","action":"allow"}', want: 'calico' },
  { name: 'calico elasticsearch hit', line: '{"_index":"tigera_secure_ee_flows","_source":{"dest_port":5432}}', want: 'calico' },
  { name: 'calico truncated', line: '{"start_time":1796637600,"source_ip":"10.', want: 'calico' },
  { name: 'netpol agent log', line: '{"time":"2026-12-07T10:00:00.000Z","verdict":"denied","direction":"ingress","protocol":"TCP","port":5432,"src":{"ip":"10.244.2.20","namespace":"backend","pod":"worker-3a9"},"dst":{"ip":"10.244.3.10"},"reason":"x"}', want: 'netpol' },
  { name: 'csv header', line: 'src,dst,port,proto,count', want: 'csv' },
  { name: 'csv record', line: 'frontend/web,backend/api,8080,TCP', want: 'csv' },
  { name: 'csv with BOM and spaces', line: '\uFEFFsrc,dst,port,proto  ', want: 'csv' },
  { name: 'blank', line: '   ', want: null },
  { name: 'other JSON', line: '{"kind":"Pod"}', want: null },
  { name: 'JSON array', line: '[{"flow":{}}]', want: null },
  { name: 'prose', line: 'hello world', want: null },
])('$name → $want', ({ line, want }) => expect(detectFormat(line)).toBe(want))

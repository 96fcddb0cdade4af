// The three bench queries, shared by bench/engine.ts and bench/engine-eval.ts.
export const QUERIES: { label: string; query: string }[] = [
  {
    label: 'single-event rule',
    query: 'process where event.type == "start" and process.name : ("powershell.exe", "pwsh.exe") and process.args : ("-enc", "-EncodedCommand", "-e")',
  },
  {
    label: 'sequence by + maxspan',
    query:
      'sequence by host.id, user.name with maxspan=30s [process where event.type == "start" and process.name : ("curl", "wget")] [network where network.direction == "egress" and destination.port in (4444, 8080) and not cidrMatch(destination.ip, "10.0.0.0/8")]',
  },
  {
    label: 'regex-heavy rule',
    query:
      'process where process.command_line regex~ """.*(invoke-webrequest|downloadstring|frombase64string|-enc [a-z0-9+/=]{20,}).*""" or process.executable regex """/(tmp|dev/shm|var/tmp)/[a-z0-9._]+""" or process.name regex~ """[a-z]+[0-9]{2,}(\\.exe)?""" or process.args regex """.*,(Start|DllMain|EntryPoint)"""',
  },
];

/** The API server's version (`GET /version`), through the client's own configuration: path prefixes, proxies and auth as the kubeconfig says. */
import { createConfiguration, ServerConfiguration, VersionApi } from '@kubernetes/client-node';
import { apiError, loadKubeConfig, type KubeTarget } from './kube.js';
import { deadlines, DEFAULT_TIMEOUTS, type Timeouts } from './network.js';

export interface ServerVersion {
  server: string;
  gitVersion: string;
  platform: string;
}

export async function serverVersion(t: KubeTarget, timeouts: Timeouts = DEFAULT_TIMEOUTS): Promise<ServerVersion> {
  const kc = loadKubeConfig(t);
  const server = kc.getCurrentCluster()!.server;
  const api = new VersionApi(createConfiguration({ baseServer: new ServerConfiguration(server, {}), authMethods: { default: kc }, promiseMiddleware: [deadlines(timeouts)] }));
  try {
    const v = await api.getCode();
    return { server, gitVersion: v.gitVersion, platform: v.platform };
  } catch (e) {
    throw apiError(e, 'GET /version', server, timeouts);
  }
}

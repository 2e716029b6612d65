// The route table: URL pattern → page, and the navigation built from it. One
// table so that a page, its URL and its menu entry are added in one place.
import { Overview } from './pages/overview.js';
import { Instances, InstanceDetail } from './pages/instances.js';
import { Images } from './pages/images.js';
import { Keypairs } from './pages/keypairs.js';
import { ServerGroups } from './pages/servergroups.js';
import { Volumes } from './pages/volumes.js';
import { Networks, NetworkDetail } from './pages/networks.js';
import { Routers } from './pages/routers.js';
import { Topology } from './pages/topology.js';
import { SecurityGroups } from './pages/secgroups.js';
import { FloatingIPs } from './pages/floatingips.js';
import { Containers } from './pages/containers.js';
import { APIAccess } from './pages/apiaccess.js';
import { Projects, Users, Groups, Roles } from './pages/identity.js';
import { Hypervisors, Services, Flavors, AllInstances, AllImages, AllVolumes, AllNetworks } from './pages/admin.js';

// route turns '/project/instances/:id' into a matcher and a parameter reader.
function route(pattern, page, navHref = pattern) {
  const names = [];
  const re = new RegExp(
    `^${pattern.replace(/:(\w+)/g, (_, n) => {
      names.push(n);
      return '([^/]+)';
    })}/?$`,
  );
  return {
    page,
    nav: navHref,
    match: (p) => re.test(p),
    params: (p) => {
      const m = re.exec(p);
      return Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1])]));
    },
  };
}

export const routes = [
  route('/project', Overview),
  route('/project/instances', Instances),
  route('/project/instances/:id', InstanceDetail, '/project/instances'),
  route('/project/images', Images),
  route('/project/keypairs', Keypairs),
  route('/project/server-groups', ServerGroups),
  route('/project/volumes', Volumes),
  route('/project/networks', Networks),
  route('/project/networks/:id', NetworkDetail, '/project/networks'),
  route('/project/routers', Routers),
  route('/project/topology', Topology),
  route('/project/security-groups', SecurityGroups),
  route('/project/floating-ips', FloatingIPs),
  route('/project/containers', Containers),
  route('/project/containers/:name', Containers, '/project/containers'),
  route('/project/api-access', APIAccess),
  route('/identity/projects', Projects),
  route('/identity/users', Users),
  route('/identity/groups', Groups),
  route('/identity/roles', Roles),
  route('/admin/hypervisors', Hypervisors),
  route('/admin/services', Services),
  route('/admin/flavors', Flavors),
  route('/admin/instances', AllInstances),
  route('/admin/images', AllImages),
  route('/admin/volumes', AllVolumes),
  route('/admin/networks', AllNetworks),
];

export const nav = [
  {
    title: 'Project',
    items: [
      ['/project', 'Overview'],
      ['/project/instances', 'Instances'],
      ['/project/images', 'Images'],
      ['/project/keypairs', 'Key pairs'],
      ['/project/server-groups', 'Server groups'],
      ['/project/volumes', 'Volumes'],
      ['/project/topology', 'Network topology'],
      ['/project/networks', 'Networks'],
      ['/project/routers', 'Routers'],
      ['/project/security-groups', 'Security groups'],
      ['/project/floating-ips', 'Floating IPs'],
      ['/project/containers', 'Object store'],
      ['/project/api-access', 'API access'],
    ],
  },
  {
    title: 'Admin',
    admin: true,
    items: [
      ['/admin/hypervisors', 'Hypervisors'],
      ['/admin/services', 'System services'],
      ['/admin/flavors', 'Flavors'],
      ['/admin/instances', 'All instances'],
      ['/admin/images', 'All images'],
      ['/admin/volumes', 'All volumes'],
      ['/admin/networks', 'All networks'],
    ],
  },
  {
    title: 'Identity',
    admin: true,
    items: [
      ['/identity/projects', 'Projects'],
      ['/identity/users', 'Users'],
      ['/identity/groups', 'Groups'],
      ['/identity/roles', 'Roles'],
    ],
  },
];

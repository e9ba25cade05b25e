import { createRouter, createWebHashHistory } from 'vue-router'

/** Hash history: works from file:// in the desktop window and from the loopback server alike. */
export const NAV = [
  { path: '/', name: 'workspace', label: 'Workspace', component: () => import('./views/WorkspaceView.vue') },
  { path: '/models', name: 'models', label: 'Models', component: () => import('./views/ModelsView.vue') },
  { path: '/alignment', name: 'alignment', label: 'Alignment', component: () => import('./views/AlignmentView.vue') },
  { path: '/maps', name: 'maps', label: 'Maps', component: () => import('./views/MapsView.vue') },
  { path: '/mle', name: 'mle', label: 'MLE-Bench', component: () => import('./views/MleView.vue') },
  { path: '/mixtures', name: 'mixtures', label: 'Mixtures', component: () => import('./views/MixturesView.vue') },
  { path: '/colour', name: 'colour', label: 'Colour', component: () => import('./views/ColourView.vue') },
  { path: '/reports', name: 'reports', label: 'Reports', component: () => import('./views/ReportsView.vue') },
  { path: '/gpu', name: 'gpu', label: 'GPU', component: () => import('./views/GpuView.vue') },
] as const

export const router = createRouter({
  history: createWebHashHistory(),
  routes: [...NAV.map((n) => ({ path: n.path, name: n.name, component: n.component })), { path: '/:rest(.*)*', redirect: '/' }],
})

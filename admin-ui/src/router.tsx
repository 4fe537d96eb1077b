import { lazy, Suspense } from 'react';
import { createBrowserRouter, Outlet, type RouteObject } from 'react-router';
import { GuestOnly, RequireAuth } from './auth/guards';
import { RequirePermission } from './components/RequirePermission';
import { RouteError } from './pages/RouteError';
import { PageSpin } from './components/PageSpin';

// Every screen is its own chunk; the layouts too, so the login page does not load the
// console's navigation and the console does not load the sign-up form.
const PublicLayout = lazy(() => import('./layouts/PublicLayout'));
const ConsoleLayout = lazy(() => import('./layouts/ConsoleLayout'));
const Login = lazy(() => import('./pages/auth/Login'));
const Signup = lazy(() => import('./pages/auth/Signup'));
const ForgotPassword = lazy(() => import('./pages/auth/ForgotPassword'));
const ResetPassword = lazy(() => import('./pages/auth/ResetPassword'));
const AcceptInvitation = lazy(() => import('./pages/auth/AcceptInvitation'));
const HomeRedirect = lazy(() => import('./pages/HomeRedirect'));
const NotFound = lazy(() => import('./pages/NotFound'));
const Overview = lazy(() => import('./pages/tenant/Overview'));
const Members = lazy(() => import('./pages/tenant/Members'));
const Roles = lazy(() => import('./pages/tenant/Roles'));
const ApiKeys = lazy(() => import('./pages/tenant/ApiKeys'));
const Settings = lazy(() => import('./pages/tenant/Settings'));
const AuditLog = lazy(() => import('./pages/tenant/AuditLog'));
const Channels = lazy(() => import('./pages/tenant/Channels'));
const Inbox = lazy(() => import('./pages/inbox/Inbox'));
const Knowledge = lazy(() => import('./pages/kb/Knowledge'));
const KbEntry = lazy(() => import('./pages/kb/KbEntry'));
const Bot = lazy(() => import('./pages/bot/Bot'));
const Routing = lazy(() => import('./pages/routing/Routing'));
const Queue = lazy(() => import('./pages/routing/Queue'));
const CannedResponses = lazy(() => import('./pages/canned/CannedResponses'));
const Account = lazy(() => import('./pages/account/Account'));
const Platform = lazy(() => import('./pages/platform/Platform'));

export const routes: RouteObject[] = [
  {
    element: (
      <Suspense fallback={<PageSpin full />}>
        <Outlet />
      </Suspense>
    ),
    errorElement: <RouteError />,
    children: [
      {
        element: <PublicLayout />,
        children: [
          { path: 'login', element: <GuestOnly><Login /></GuestOnly> },
          { path: 'signup', element: <GuestOnly><Signup /></GuestOnly> },
          { path: 'forgot-password', element: <ForgotPassword /> },
          { path: 'reset-password', element: <ResetPassword /> },
          { path: 'invitations/accept', element: <AcceptInvitation /> },
        ],
      },
      {
        element: (
          <RequireAuth>
            <ConsoleLayout />
          </RequireAuth>
        ),
        children: [
          { index: true, element: <HomeRedirect /> },
          {
            path: 't/:tenantId',
            children: [
              { index: true, element: <Overview /> },
              // The inbox spans every tenant the agent serves; an open conversation names
              // its own tenant, which may differ from the page's.
              {
                path: 'inbox/:convTenantId?/:conversationId?',
                element: <RequirePermission perm="conversations:read"><Inbox /></RequirePermission>,
              },
              { path: 'kb', element: <RequirePermission perm="kb:read"><Knowledge /></RequirePermission> },
              // :kind is faqs or articles; :entryId "new" opens an empty editor.
              { path: 'kb/:kind/:entryId', element: <RequirePermission perm="kb:read"><KbEntry /></RequirePermission> },
              { path: 'bot', element: <RequirePermission perm="bot:manage"><Bot /></RequirePermission> },
              { path: 'routing', element: <RequirePermission perm="routing:manage"><Routing /></RequirePermission> },
              { path: 'queue', element: <RequirePermission perm="conversations:read"><Queue /></RequirePermission> },
              { path: 'canned', element: <RequirePermission perm="conversations:reply"><CannedResponses /></RequirePermission> },
              { path: 'channels', element: <RequirePermission perm="channels:read"><Channels /></RequirePermission> },
              { path: 'members', element: <RequirePermission perm="members:read"><Members /></RequirePermission> },
              { path: 'roles', element: <RequirePermission perm="roles:read"><Roles /></RequirePermission> },
              { path: 'api-keys', element: <RequirePermission perm="apikeys:manage"><ApiKeys /></RequirePermission> },
              { path: 'settings', element: <RequirePermission perm="settings:read"><Settings /></RequirePermission> },
              { path: 'audit-log', element: <RequirePermission perm="audit:read"><AuditLog /></RequirePermission> },
              { path: '*', element: <NotFound /> },
            ],
          },
          { path: 'account', element: <Account /> },
          { path: 'platform', element: <Platform /> },
          { path: '*', element: <NotFound /> },
        ],
      },
    ],
  },
];

export function createRouter() {
  return createBrowserRouter(routes);
}

import {
  ApiOutlined,
  AuditOutlined,
  BookOutlined,
  BranchesOutlined,
  DashboardOutlined,
  DeploymentUnitOutlined,
  FieldTimeOutlined,
  MessageOutlined,
  RobotOutlined,
  SafetyCertificateOutlined,
  SettingOutlined,
  TeamOutlined,
  ThunderboltOutlined,
} from '@ant-design/icons';

/** Tenant pages, their path under /t/:id and the permission that shows them. */
export const TENANT_PAGES = [
  { key: 'overview', path: '', perm: null, icon: <DashboardOutlined /> },
  { key: 'inbox', path: 'inbox', perm: 'conversations:read', icon: <MessageOutlined /> },
  { key: 'queue', path: 'queue', perm: 'conversations:read', icon: <FieldTimeOutlined /> },
  { key: 'canned', path: 'canned', perm: 'conversations:reply', icon: <ThunderboltOutlined /> },
  { key: 'kb', path: 'kb', perm: 'kb:read', icon: <BookOutlined /> },
  { key: 'bot', path: 'bot', perm: 'bot:manage', icon: <RobotOutlined /> },
  { key: 'routing', path: 'routing', perm: 'routing:manage', icon: <BranchesOutlined /> },
  { key: 'channels', path: 'channels', perm: 'channels:read', icon: <DeploymentUnitOutlined /> },
  { key: 'members', path: 'members', perm: 'members:read', icon: <TeamOutlined /> },
  { key: 'roles', path: 'roles', perm: 'roles:read', icon: <SafetyCertificateOutlined /> },
  { key: 'api-keys', path: 'api-keys', perm: 'apikeys:manage', icon: <ApiOutlined /> },
  { key: 'settings', path: 'settings', perm: 'settings:read', icon: <SettingOutlined /> },
  { key: 'audit-log', path: 'audit-log', perm: 'audit:read', icon: <AuditOutlined /> },
] as const;

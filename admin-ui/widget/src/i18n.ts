// The widget's texts. zh-CN and en; the host page picks with data-locale, else the
// channel's configured language, else the browser's.

const zhCN = {
  open: '打开在线客服',
  openUnread: '打开在线客服（{n} 条未读）',
  close: '关闭聊天窗口',
  title: '在线客服',
  online: '在线',
  offline: '暂时离线',
  log: '聊天记录',
  placeholder: '输入消息，Enter 发送',
  send: '发送',
  attach: '发送图片或文件',
  typing: '客服正在输入…',
  sending: '发送中…',
  sent: '已发送',
  read: '已读',
  failed: '发送失败',
  retry: '重试',
  you: '我',
  agent: '客服',
  bot: '机器人',
  offlineTitle: '现在无人在线，请留言，我们会尽快通过邮件回复你。',
  offlineBanner: '客服暂时离线，你的消息会被保留，我们会尽快回复。',
  queuePosition: '您正在排队：第 {n} 位',
  queueWait: '，预计约 {m} 分钟',
  name: '姓名',
  email: '邮箱',
  message: '留言内容',
  submit: '提交留言',
  required: '请填写此项',
  invalidEmail: '请输入有效的邮箱地址',
  offlineDone: '留言已收到，我们会尽快回复你。',
  willSend: '留言已保存，连接恢复后会自动发送。',
  uploading: '正在上传 {name}…',
  tooLarge: '文件不能超过 10 MB',
  uploadFailed: '文件上传失败，请重试',
  tooLong: '消息不能超过 4000 个字符',
  identityRequired: '请先登录网站后再咨询客服。',
  unavailable: '暂时无法连接客服，请稍后再试。',
  reconnecting: '正在重新连接…',
  file: '文件',
  helpful: '有帮助',
  notHelpful: '没有帮助',
  thanks: '感谢反馈',
};

export type Texts = typeof zhCN;

const en: Texts = {
  open: 'Open chat',
  openUnread: 'Open chat ({n} unread)',
  close: 'Close chat',
  title: 'Chat with us',
  online: 'Online',
  offline: 'Offline',
  log: 'Conversation',
  placeholder: 'Type a message, Enter to send',
  send: 'Send',
  attach: 'Send an image or file',
  typing: 'Agent is typing…',
  sending: 'Sending…',
  sent: 'Sent',
  read: 'Read',
  failed: 'Not sent',
  retry: 'Retry',
  you: 'You',
  agent: 'Agent',
  bot: 'Bot',
  offlineTitle: 'No one is available right now. Leave a message and we will get back to you by email.',
  offlineBanner: 'We are offline right now. Your messages are kept and we will reply soon.',
  queuePosition: 'You are number {n} in the queue',
  queueWait: ' (about {m} min)',
  name: 'Name',
  email: 'Email',
  message: 'Message',
  submit: 'Send message',
  required: 'This field is required',
  invalidEmail: 'Enter a valid email address',
  offlineDone: 'Thanks, we got your message and will reply soon.',
  willSend: 'Your message is saved and will be sent as soon as we are reachable.',
  uploading: 'Uploading {name}…',
  tooLarge: 'Files can be at most 10 MB',
  uploadFailed: 'The upload failed. Please try again.',
  tooLong: 'Messages can be at most 4,000 characters',
  identityRequired: 'Please sign in to the site to chat with us.',
  unavailable: 'Chat is unavailable right now. Please try again later.',
  reconnecting: 'Reconnecting…',
  file: 'File',
  helpful: 'Helpful',
  notHelpful: 'Not helpful',
  thanks: 'Thanks for the feedback',
};

export type Locale = 'zh-CN' | 'en';

/** Maps any language tag to one the widget speaks ('' when neither). */
export function normalizeLocale(tag: string | null | undefined): Locale | '' {
  const s = (tag || '').toLowerCase();
  if (s.startsWith('zh')) return 'zh-CN';
  if (s.startsWith('en')) return 'en';
  return '';
}

export function texts(locale: Locale): Texts {
  return locale === 'en' ? en : zhCN;
}

export function fmt(s: string, vars: Record<string, string | number>): string {
  return s.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));
}

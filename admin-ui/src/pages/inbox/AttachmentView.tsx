// A message's file. Stored files need the bearer token, which neither an <img> nor a
// link can send: images are fetched into a blob URL, other files download on click.
// Linked files (an absolute URL from the provider) are shown as they are.
import { useEffect, useState } from 'react';
import { App, Button, Image, Skeleton } from 'antd';
import { PaperClipOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { attachmentPath, fetchAttachment, type Attachment } from '../../api/chat';
import { formatSize } from '../../lib/chat';
import { errorMessage } from '../../lib/errors';

const isExternal = (u: string) => /^https?:\/\//i.test(u);
const isImage = (a: Attachment) => /^image\//i.test(a.content_type || '');

function objectURL(b: Blob): string | null {
  return typeof URL.createObjectURL === 'function' ? URL.createObjectURL(b) : null;
}

function StoredImage({ path, a }: { path: string; a: Attachment }) {
  const [src, setSrc] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    const ctl = new AbortController();
    let url: string | null = null;
    fetchAttachment(path, ctl.signal).then(
      (b) => {
        url = objectURL(b);
        setSrc(url);
      },
      () => !ctl.signal.aborted && setFailed(true),
    );
    return () => {
      ctl.abort();
      if (url) URL.revokeObjectURL(url);
    };
  }, [path]);
  if (failed) return <FileLink path={path} a={a} />;
  if (!src) return <Skeleton.Image active style={{ width: 160, height: 120 }} />;
  return <Image src={src} alt={a.name} width={200} style={{ maxHeight: 240, objectFit: 'cover', borderRadius: 8 }} data-testid="attachment-image" />;
}

function FileLink({ path, a }: { path: string; a: Attachment }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  return (
    <Button
      type="link"
      size="small"
      icon={<PaperClipOutlined />}
      loading={busy}
      data-testid="attachment-file"
      aria-label={t('conversation.download', { name: a.name })}
      style={{ paddingInline: 0, height: 'auto', whiteSpace: 'normal', textAlign: 'start' }}
      onClick={async () => {
        setBusy(true);
        try {
          const b = await fetchAttachment(path);
          const url = objectURL(b);
          if (!url) return;
          const el = document.createElement('a');
          el.href = url;
          el.download = a.name || 'file';
          document.body.appendChild(el);
          el.click();
          el.remove();
          setTimeout(() => URL.revokeObjectURL(url), 5000);
        } catch (err) {
          message.error(errorMessage(err, t));
        } finally {
          setBusy(false);
        }
      }}
    >
      {a.name} {a.size ? <span style={{ opacity: 0.6 }}>({formatSize(a.size)})</span> : null}
    </Button>
  );
}

export function AttachmentView({ tenantId, a }: { tenantId: string; a: Attachment }) {
  if (a.url && isExternal(a.url)) {
    return isImage(a) ? (
      <a href={a.url} target="_blank" rel="noopener noreferrer" data-testid="attachment-link">
        <img src={a.url} alt={a.name} style={{ maxWidth: 200, maxHeight: 240, borderRadius: 8, display: 'block' }} />
      </a>
    ) : (
      <a href={a.url} target="_blank" rel="noopener noreferrer" data-testid="attachment-link">
        <PaperClipOutlined /> {a.name}
      </a>
    );
  }
  const path = attachmentPath(tenantId, a);
  return isImage(a) ? <StoredImage path={path} a={a} /> : <FileLink path={path} a={a} />;
}

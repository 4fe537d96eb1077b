import type { ReactNode } from 'react';
import { Card, Typography } from 'antd';

/** The card every public page is built from: a title, a line of context, the form. */
export function AuthCard({ title, subtitle, children, footer, testId }: {
  title: ReactNode;
  subtitle?: ReactNode;
  children: ReactNode;
  footer?: ReactNode;
  testId?: string;
}) {
  return (
    <Card className="kefu-public-card" variant="borderless" data-testid={testId}>
      <Typography.Title level={3} style={{ marginTop: 0, marginBottom: subtitle ? 4 : 24 }}>
        {title}
      </Typography.Title>
      {subtitle ? (
        <Typography.Paragraph type="secondary" style={{ marginBottom: 24 }}>
          {subtitle}
        </Typography.Paragraph>
      ) : null}
      {children}
      {footer ? <div style={{ marginTop: 24, textAlign: 'center' }}>{footer}</div> : null}
    </Card>
  );
}

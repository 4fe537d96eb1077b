import { Spin } from 'antd';
import { useTranslation } from 'react-i18next';

export function PageSpin({ full = false }: { full?: boolean }) {
  const { t } = useTranslation();
  return (
    <div
      className={full ? 'kefu-full-center' : undefined}
      style={full ? undefined : { padding: '80px 0', textAlign: 'center' }}
      data-testid="page-loading"
    >
      <Spin size="large" tip={t('common.loading')}>
        <div style={{ width: 160, height: 60 }} />
      </Spin>
    </div>
  );
}

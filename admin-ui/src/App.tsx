import { useMemo } from 'react';
import { App as AntApp, ConfigProvider } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import enUS from 'antd/locale/en_US';
import { RouterProvider } from 'react-router/dom';
import { useTranslation } from 'react-i18next';
import { AuthProvider } from './auth/AuthContext';
import { createRouter } from './router';
import { theme } from './theme';

export default function App() {
  const { i18n } = useTranslation();
  const router = useMemo(() => createRouter(), []);
  return (
    <ConfigProvider locale={i18n.language === 'en' ? enUS : zhCN} theme={theme}>
      <AntApp>
        <AuthProvider>
          <RouterProvider router={router} />
        </AuthProvider>
      </AntApp>
    </ConfigProvider>
  );
}

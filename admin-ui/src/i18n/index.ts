// react-i18next setup: zh-CN by default, English available; the choice is remembered.
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import zhCN from './locales/zh-CN';
import en from './locales/en';
import zhErrors from './locales/errors.zh-CN';
import enErrors from './locales/errors.en';
import { readLocal, writeLocal } from '../lib/storage';

export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const LANG_KEY = 'kefu.lang';

export function initialLanguage(): Language {
  const stored = readLocal(LANG_KEY);
  return stored === 'en' || stored === 'zh-CN' ? stored : 'zh-CN';
}

void i18n.use(initReactI18next).init({
  resources: {
    'zh-CN': { translation: zhCN, errors: zhErrors },
    en: { translation: en, errors: enErrors },
  },
  lng: initialLanguage(),
  fallbackLng: 'zh-CN',
  supportedLngs: [...LANGUAGES],
  ns: ['translation', 'errors'],
  defaultNS: 'translation',
  nsSeparator: false,
  interpolation: { escapeValue: false },
  returnNull: false,
  initAsync: false,
});

export function setLanguage(lng: Language): void {
  writeLocal(LANG_KEY, lng);
  void i18n.changeLanguage(lng);
}

function syncDocument(lng: string) {
  if (typeof document !== 'undefined') {
    document.documentElement.lang = lng;
    document.title = i18n.t('app.title');
  }
}
syncDocument(i18n.language);
i18n.on('languageChanged', syncDocument);

export default i18n;

// zh-CN first, English second. Templates call t(); reading `locale.lang` inside t() makes
// every translated text re-render when the language changes.
import i18next from 'i18next';
import zh from '../locales/zh-CN.json';
import en from '../locales/en.json';

export type Language = 'zh-CN' | 'en';

export const locale = $state({ lang: 'zh-CN' as Language });

i18next.init({
  lng: 'zh-CN',
  fallbackLng: false,
  initAsync: false,
  resources: { 'zh-CN': { translation: zh }, en: { translation: en } },
  interpolation: { escapeValue: false },
  returnNull: false,
});

export function setLanguage(lang: Language) {
  i18next.changeLanguage(lang);
  locale.lang = lang;
  document.documentElement.lang = lang;
}

export function t(key: string, vars?: Record<string, unknown>): string {
  void locale.lang;
  return i18next.t(key, vars ?? {});
}

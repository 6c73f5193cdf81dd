// Keys of the fixed vocabularies the core knows; their labels live in the locales.
export const EXPERTISE = [
  'fundraising', 'legal', 'ip', 'marketing', 'product', 'hardware', 'biomedicine', 'ai',
  'finance', 'hr', 'manufacturing', 'export', 'policy', 'strategy',
] as const;

export const LANGUAGES = ['zh', 'en', 'yue', 'ja', 'ko', 'de', 'fr'] as const;

export const STATUSES = ['requested', 'confirmed', 'declined', 'cancelled', 'completed', 'no_show'] as const;

export const ROLES = ['founder', 'mentor', 'lab_manager', 'space_admin'] as const;

// The hooks components use for text: the current language's translator and language code.
import { useAppStore } from '../store/store';
import { translatorFor, type Language, type Translate } from './translate';

export const useLanguage = (): Language => useAppStore((s) => s.language);
export const useT = (): Translate => translatorFor(useLanguage());

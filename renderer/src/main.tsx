// Production entry: window.hyperdesk comes from the preload script (Electron) or the browser host.
import { mount } from './app/mount';

const root = document.getElementById('root');
if (root) mount(root);

import { startApp } from './electron/main';

startApp();

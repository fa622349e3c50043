/** The page's entry: everything is drawn into #app by app.ts. */
import { startApp } from './app.js'

void startApp(document.getElementById('app')!)

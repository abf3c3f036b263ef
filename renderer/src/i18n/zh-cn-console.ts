// 虚拟机控制台（noVNC 与串口终端）的简体中文文案；缺少或多出的键都是编译错误。
import type { enConsole } from './en-console';

export const zhCNConsole: Record<keyof typeof enConsole, string> = {
  'console.kind.vnc': '显示（VNC）',
  'console.kind.serial': '串口 {port}',
  'console.kindLabel': '控制台',
  'console.state.opening': '正在打开控制台…',
  'console.state.connecting': '正在连接…',
  'console.state.connected': '已连接',
  'console.state.disconnected': '已断开',
  'console.state.failed': '无法打开控制台：{message}',
  'console.state.securityFailure': 'VNC 服务器拒绝了连接：{reason}',
  'console.reconnect': '重新连接',
  'console.scale.fit': '缩放以适应窗口',
  'console.scale.native': '实际大小（1:1）',
  'console.keys': '发送按键',
  'console.keys.ctrlAltDel': 'Ctrl+Alt+Del',
  'console.keys.ctrlAltBackspace': 'Ctrl+Alt+Backspace',
  'console.keys.ctrlAltF': 'Ctrl+Alt+F{n}',
  'console.clipboard': '剪贴板',
  'console.clipboard.title': '剪贴板',
  'console.clipboard.hint': '在此输入的文本会作为剪贴板内容发送给虚拟机；虚拟机复制的文本会显示在这里。',
  'console.clipboard.send': '发送到虚拟机',
  'console.clipboard.received': '从虚拟机收到',
  'console.detach': '在新窗口中打开',
  'console.screen': '虚拟机 {vmid} 的控制台',
};

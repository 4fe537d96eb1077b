package nlu

// Traditional → Simplified Chinese for the common characters that differ, so that
// "申請退款" meets the FAQ's "申请退款": customers in Hong Kong, Taiwan and abroad
// type Traditional, most FAQs are written in Simplified. It is a character table,
// not a phrase converter (one Traditional character per Simplified one, the usual
// mapping in customer-service text; rare many-to-one ambiguities such as 乾/干 take
// the everyday reading). Written for kefu; pairs are Traditional then Simplified.
const tradSimpPairs = `
這这 們们 個个 來来 時时 會会 說说 對对 為为 爲为 國国 學学 發发 經经 過过 還还 進进 動动 種种 樣样 從从 後后 現现 開开
關关 點点 問问 題题 與与 應应 實实 當当 長长 機机 見见 體体 訂订 單单 錢钱 帳账 賬账 號号 碼码 錄录 註注 冊册 銷销 綁绑
銀银 張张 費费 運运 輸输 遞递 郵邮 貨货 買买 賣卖 價价 優优 積积 換换 舊旧 維维 擔担 稱称 頭头 補补 員员 務务 質质 損损
壞坏 劃划 處处 據据 讓让 給给 裡里 裏里 麼么 麽么 嗎吗 話话 電电 網网 線线 綫线 頁页 庫库 無无 擇择 選选 項项 傳传 證证
認认 戶户 鎖锁 凍冻 結结 詐诈 騙骗 盜盗 報报 舉举 訴诉 營营 業业 間间 門门 鐘钟 幾几 週周 歲岁 紅红 綠绿 藍蓝 黃黄 顏颜
裝装 禮礼 贈赠 預预 約约 購购 車车 餘余 額额 計计 幣币 匯汇 彙汇 轉转 筆笔 條条 紀纪 歷历 曆历 記记 憶忆 樂乐 聽听 讀读
寫写 書书 畫画 圖图 標标 準准 確确 識识 設设 備备 腦脑 軟软 統统 級级 權权 隱隐 規规 則则 範范 圍围 區区 縣县 鄉乡 鎮镇
島岛 灣湾 臺台 檯台 颱台 東东 麵面 麪面 飯饭 飲饮 館馆 廳厅 層层 樓楼 邊边 遠远 達达 簽签 攬揽 師师 導导 飛飞 場场 輛辆
鐵铁 橋桥 廠厂 產产 將将 兩两 萬万 億亿 並并 於于 沒没 別别 請请 謝谢 錯错 誤误 該该 須须 愛爱 歡欢 氣气 熱热 涼凉 雙双
雜杂 難难 簡简 類类 變变 態态 總总 數数 臉脸 髮发 鬆松 緊紧 聯联 繫系 係系 連连 鏈链 絡络 載载 擊击 鍵键 盤盘 螢萤 顯显
視视 頻频 聲声 響响 錶表 燈灯 閉闭 啟启 啓启 彈弹 檔档 夾夹 複复 復复 製制 貼贴 憑凭 倉仓 儲储 斷断 團团 殺杀 搶抢 領领
續续 閱阅 協协 議议 違违 罰罚 賠赔 償偿 懷怀 詢询 諮咨 滿满 評评 論论 專专 親亲 幫帮 辦办 甦苏 驗验 廣广 騷骚 擾扰 訊讯
撥拨 紙纸 寶宝 貝贝 鑰钥 顆颗 隻只 隊队 陽阳 陰阴 際际 陸陆 隨随 險险 雞鸡 雖虽 霧雾 靈灵 韓韩 頂顶 順顺 顧顾 風风 馬马
驚惊 鬧闹 魚鱼 鳥鸟 鹽盐 麗丽 麥麦 黨党 齊齐 齒齿 龍龙 龜龟 亞亚 倆俩 偉伟 側侧 傷伤 儀仪 兒儿 內内 剛刚 創创 劉刘 劇剧
勁劲 勝胜 勞劳 勢势 勵励 卻却 參参 叢丛 吳吴 喚唤 嚴严 噸吨 園园 執执 堅坚 塊块 塗涂 塵尘 墊垫 壓压 壯壮 夠够 夢梦 奪夺
奮奋 婦妇 媽妈 孫孙 寧宁 審审 寬宽 尋寻 屆届 屬属 嶺岭 帶带 幹干 廢废 強强 歸归 徵征 戀恋 慘惨 慣惯 憂忧 戰战 戲戏 擁拥
擴扩 擠挤 擺摆 攝摄 晉晋 晝昼 暫暂 曉晓 極极 橫横 檢检 殘残 毀毁 決决 況况 測测 溝沟 滅灭 漢汉 潔洁 濟济 濕湿 災灾 烏乌
爭争 爾尔 牆墙 狀状 獨独 獲获 穫获 環环 畢毕 異异 療疗 盡尽 儘尽 監监 睏困 礎础 禍祸 穩稳 窮穷 競竞 節节 築筑 籤签 糧粮
細细 終终 組组 絕绝 絲丝 編编 練练 縮缩 績绩 繼继 義义 習习 聖圣 聞闻 聰聪 職职 肅肃 膚肤 臨临 興兴 艱艰 藝艺 華华 葉叶
蓋盖 蘇苏 蘋苹 蟲虫 覺觉 覽览 觀观 討讨 訓训 訪访 許许 診诊 詞词 試试 詳详 誠诚 語语 誰谁 課课 調调 談谈 諾诺 護护 豐丰
負负 貢贡 財财 責责 販贩 貪贪 貫贯 貴贵 貸贷 賀贺 資资 賓宾 賞赏 賺赚 賽赛 贊赞 讚赞 趕赶 趙赵 跡迹 踐践 輕轻 較较 輔辅
輪轮 農农 遊游 適适 遲迟 遷迁 遺遗 醫医 釋释 針针 鈕钮 鋪铺 鍋锅 鏡镜 閃闪 閒闲 闆板 陣阵 陳陈 階阶 離离 靜静 頓顿 飾饰
養养 驅驱 鬥斗 齡龄 鑑鉴 鑒鉴 囉啰 歐欧 鬱郁 纔才 衝冲 沖冲 黴霉 鬍胡 乾干 淨净 髒脏 廁厕 穀谷 擱搁 摺折 採采 棄弃 漲涨
溫温 濾滤 鹹咸 罵骂 嚇吓 懶懒 騎骑 攜携 攤摊 擋挡 攔拦 撲扑 撈捞 擬拟 癒愈 癢痒 瘋疯 銅铜 鋼钢 鋁铝 雲云 韻韵 頸颈 顛颠
飄飘 飽饱 餅饼 餓饿 騰腾 驟骤 魯鲁 鮮鲜 鳳凤 鴨鸭 鵝鹅 鷹鹰 龐庞 欵款 餵喂 撐撑 衛卫 峯峰 羣群 喫吃 衆众 眾众 夥伙 佈布
佔占 俠侠 倫伦 偽伪 傑杰 傘伞 僅仅 兌兑 凱凯 劑剂 勻匀 厭厌 厲厉 啞哑 喪丧 嗚呜 嘆叹 歎叹 嘗尝 嚐尝 噴喷 嚮向 囑嘱 圓圆
墳坟 壇坛 奧奥 妝妆 娛娱 嬰婴 寢寝 寵宠 屜屉 崗岗 廂厢 廚厨 廟庙 徑径 悅悦 惡恶 惱恼 慶庆 懸悬 拋抛 捨舍 掃扫 掛挂 揚扬
搖摇 撫抚 攏拢 敗败 敵敌 斬斩 暈晕 暢畅 曬晒 桿杆 棟栋 構构 槍枪 樹树 櫃柜 濃浓 瀏浏 灑洒 煙烟 煩烦 燒烧 爐炉 牽牵 猶犹
獎奖 獻献 癮瘾 皺皱 盞盏 礦矿 祕秘 稅税 窩窝 竊窃 籃篮 糾纠 紋纹 納纳 紐纽 純纯 紛纷 紮扎 綜综 綱纲 緒绪 緣缘 緩缓 縫缝
繞绕 繩绳 繳缴 纏缠 罷罢 羅罗 脅胁 腫肿 膽胆 艙舱 莊庄 蔥葱 藥药 虧亏 蝦虾 術术 褲裤 襪袜 訣诀 誇夸 誌志 誕诞 誘诱 誼谊
諒谅 謀谋 謊谎 謎谜 謹谨 譜谱 譯译 譽誉 貓猫 賴赖 贏赢 趨趋 蹤踪 躍跃 軍军 輯辑 辭辞 辯辩 遙遥 醜丑 釣钓 鈔钞 銘铭 錦锦
鍛锻 鑽钻 閣阁 闊阔 闖闯 韌韧 頒颁 頗颇 颳刮 饒饶 駐驻 駕驾 鴻鸿 瞭了 講讲
`

// tradSimp maps each Traditional character of tradSimpPairs to its Simplified form.
var tradSimp = func() map[rune]rune {
	m := make(map[rune]rune, 800)
	var pair []rune
	for _, r := range tradSimpPairs {
		if r == ' ' || r == '\n' {
			continue
		}
		pair = append(pair, r)
		if len(pair) == 2 {
			m[pair[0]] = pair[1]
			pair = pair[:0]
		}
	}
	return m
}()

// simplify returns the Simplified form of a Traditional character, or r.
func simplify(r rune) rune {
	if r < 0x4E00 {
		return r
	}
	if s, ok := tradSimp[r]; ok {
		return s
	}
	return r
}
